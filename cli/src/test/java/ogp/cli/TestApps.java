package ogp.cli;

/** Desired-state files the end-to-end tests commit. */
final class TestApps {
  private TestApps() {}

  /**
   * App {@code web} at {@code version}, placed on host {@code h1}, from a registry that need not
   * exist.
   */
  static String web(String version) {
    return """
        app: web
        image: 127.0.0.1:5000/demo/web
        version: "%s"
        hosts: [h1]
        """
        .formatted(version);
  }
}
