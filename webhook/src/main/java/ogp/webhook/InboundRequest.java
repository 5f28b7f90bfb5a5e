package ogp.webhook;

import java.util.Map;
import java.util.TreeMap;

/** One delivery as received: its headers (names case-insensitive) and its raw body. */
record InboundRequest(Map<String, String> headers, byte[] body) {
  InboundRequest {
    TreeMap<String, String> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    caseInsensitive.putAll(headers);
    headers = caseInsensitive;
  }

  /** The header's value, stripped, or {@code ""} when absent. */
  String header(String name) {
    String value = headers.get(name);
    return value == null ? "" : value.strip();
  }

  boolean has(String name) {
    return !header(name).isEmpty();
  }
}
