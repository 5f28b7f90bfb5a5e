package ogp.reconciler.changes;

import java.nio.charset.StandardCharsets;

/**
 * A desired-state file as text, for byte-minimal edits ({@link YamlEdit}, {@link AppDocuments}).
 * Marks count code points of the parsed text (after a byte-order mark, which is kept as it was);
 * {@link #charIndex} turns them into the char indexes {@link #replace} takes. Re-encoding valid
 * UTF-8 gives back the same bytes, so untouched parts stay byte-identical.
 */
record YamlText(String bom, String body, boolean astral) {
  static YamlText of(byte[] content) {
    String all = new String(content, StandardCharsets.UTF_8);
    if (!java.util.Arrays.equals(all.getBytes(StandardCharsets.UTF_8), content)) {
      throw new ChangeRefused("The file is not valid UTF-8; edit it in Git by hand.");
    }
    String bom = all.startsWith("\uFEFF") ? "\uFEFF" : "";
    String body = all.substring(bom.length());
    return new YamlText(bom, body, body.codePoints().count() != body.length());
  }

  String parsed() {
    return body;
  }

  /**
   * The first line ending of the file ({@code \r\n} or {@code \n}), {@code \n} for a one-line file.
   */
  String lineEnding() {
    int n = body.indexOf('\n');
    return n > 0 && body.charAt(n - 1) == '\r' ? "\r\n" : "\n";
  }

  /** The char index of a mark's code-point index. */
  int charIndex(int codePoint) {
    return astral ? body.offsetByCodePoints(0, codePoint) : codePoint;
  }

  /** {@code body} with the chars {@code [from, to)} replaced. */
  String replace(int from, int to, String replacement) {
    return body.substring(0, from) + replacement + body.substring(to);
  }

  byte[] encode(String newBody) {
    return (bom + newBody).getBytes(StandardCharsets.UTF_8);
  }
}
