package ogp.reconciler.changes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;

/**
 * The {@code git diff} text of one file's change, computed from contents (no objects needed): for
 * previews.
 */
final class UnifiedDiff {
  private UnifiedDiff() {}

  static String of(String path, byte[] before, Optional<byte[]> after) {
    byte[] newContent = after.orElse(new byte[0]);
    RawText a = new RawText(before);
    RawText b = new RawText(newContent);
    EditList edits =
        DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM)
            .diff(RawTextComparator.DEFAULT, a, b);
    if (edits.isEmpty()) return "";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DiffFormatter formatter = new DiffFormatter(out)) {
      out.write(
          ("--- a/" + path + "\n+++ " + (after.isPresent() ? "b/" + path : "/dev/null") + "\n")
              .getBytes(StandardCharsets.UTF_8));
      formatter.format(edits, a, b);
      formatter.flush();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
