package ogp.cli;

/**
 * Terminal colours for human output. On only when stdout is a terminal ({@code System.console()})
 * and {@code NO_COLOR} is unset (https://no-color.org), so pipes and files get plain text.
 */
final class Ansi {
  private final boolean on;

  private Ansi(boolean on) {
    this.on = on;
  }

  static Ansi forStdout() {
    String noColor = System.getenv("NO_COLOR");
    return new Ansi(System.console() != null && (noColor == null || noColor.isEmpty()));
  }

  static Ansi off() {
    return new Ansi(false);
  }

  String green(String s) {
    return paint("32", s);
  }

  String yellow(String s) {
    return paint("33", s);
  }

  String red(String s) {
    return paint("31", s);
  }

  String dim(String s) {
    return paint("2", s);
  }

  /** Colours a sync or health word by what it means: good green, in progress yellow, bad red. */
  String status(String word) {
    return switch (word) {
      case "Synced", "Healthy", "ADDED", "connected" -> green(word);
      case "Progressing", "OutOfSync", "MODIFIED", "BOOKMARK" -> yellow(word);
      case "Degraded", "Missing", "DELETED", "ERROR", "lost" -> red(word);
      default -> word;
    };
  }

  private String paint(String code, String s) {
    return on && !s.isEmpty() ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
  }
}
