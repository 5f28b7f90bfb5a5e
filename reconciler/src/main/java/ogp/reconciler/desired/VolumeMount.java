package ogp.reconciler.desired;

import java.util.Optional;

/** A bind mount, {@code host:container[:ro]}. */
public record VolumeMount(String hostPath, String containerPath, boolean readOnly) {
  /** What {@link #parse} accepts, for messages. */
  public static final String EXPECTED =
      "expected /absolute/host/path:/absolute/container/path[:ro|:rw]";

  /** Parses {@code /srv/web:/data:ro}; both paths must be absolute. Empty when malformed. */
  public static Optional<VolumeMount> parse(String text) {
    String[] parts = text.split(":", -1);
    if (parts.length < 2 || parts.length > 3) return Optional.empty();
    if (!isAbsolute(parts[0]) || !isAbsolute(parts[1])) return Optional.empty();
    if (parts.length == 3 && !parts[2].equals("ro") && !parts[2].equals("rw")) {
      return Optional.empty();
    }
    return Optional.of(
        new VolumeMount(parts[0], parts[1], parts.length == 3 && parts[2].equals("ro")));
  }

  private static boolean isAbsolute(String path) {
    return path.startsWith("/") && !path.contains(",");
  }
}
