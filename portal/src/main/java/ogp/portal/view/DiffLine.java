package ogp.portal.view;

import java.util.List;

/**
 * One line of a unified diff with the class that colours it (added, removed, hunk header, file
 * header).
 */
public record DiffLine(String text, String css) {

  public static List<DiffLine> of(String unifiedDiff) {
    return unifiedDiff.lines().map(DiffLine::classify).toList();
  }

  private static DiffLine classify(String line) {
    String css;
    if (line.startsWith("+++")
        || line.startsWith("---")
        || line.startsWith("diff ")
        || line.startsWith("index ")) css = "diff-file";
    else if (line.startsWith("@@")) css = "diff-hunk";
    else if (line.startsWith("+")) css = "diff-add";
    else if (line.startsWith("-")) css = "diff-del";
    else css = "diff-ctx";
    return new DiffLine(line, css);
  }
}
