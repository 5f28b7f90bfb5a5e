package ogp.reconciler.watch;

import java.nio.charset.StandardCharsets;

/**
 * The bytes of one line of the stream: {@code
 * {"type":…,"resourceVersion":N,"kind":…,"object":…}\n}. Objects are serialized once per change and
 * spliced in, so a change costs the same for one watcher as for hundreds, and the initial list can
 * restamp stored objects with the list's version.
 */
final class WatchLine {
  static final String ADDED = "ADDED";
  static final String MODIFIED = "MODIFIED";
  static final String DELETED = "DELETED";
  static final String BOOKMARK = "BOOKMARK";
  static final String ERROR = "ERROR";

  private WatchLine() {}

  static byte[] of(String type, long resourceVersion, String kind, byte[] objectJson) {
    byte[] head =
        ("{\"type\":\""
                + type
                + "\",\"resourceVersion\":"
                + resourceVersion
                + ",\"kind\":\""
                + kind
                + "\",\"object\":")
            .getBytes(StandardCharsets.UTF_8);
    byte[] line = new byte[head.length + objectJson.length + 2];
    System.arraycopy(head, 0, line, 0, head.length);
    System.arraycopy(objectJson, 0, line, head.length, objectJson.length);
    line[line.length - 2] = '}';
    line[line.length - 1] = '\n';
    return line;
  }

  static byte[] bookmark(long resourceVersion, boolean initialEventsEnd) {
    String object =
        "{\"resourceVersion\":"
            + resourceVersion
            + (initialEventsEnd ? ",\"initialEventsEnd\":true}" : "}");
    return of(BOOKMARK, resourceVersion, "Bookmark", object.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * An ERROR line; the object is a status in Kubernetes' shape ({@code code}, {@code reason},
   * {@code message}).
   */
  static byte[] error(long resourceVersion, int code, String reason, String message) {
    String object =
        "{\"code\":"
            + code
            + ",\"reason\":\""
            + reason
            + "\",\"message\":\""
            + message.replace("\"", "'")
            + "\"}";
    return of(ERROR, resourceVersion, "Status", object.getBytes(StandardCharsets.UTF_8));
  }
}
