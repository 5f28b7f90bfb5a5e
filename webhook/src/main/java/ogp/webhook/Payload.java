package ogp.webhook;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON body read defensively: every accessor either returns what is there or throws {@link
 * MalformedPayload} naming the missing field, so no body can cause a 5xx.
 */
final class Payload {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode root;

  private Payload(JsonNode root) {
    this.root = root;
  }

  static Payload parse(byte[] body) throws MalformedPayload {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JacksonException e) {
      throw new MalformedPayload("body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new MalformedPayload("body could not be read as JSON");
    }
    if (root == null || !root.isObject()) {
      throw new MalformedPayload("body must be a JSON object");
    }
    return new Payload(root);
  }

  /** The text at the dotted path, or throws naming the path. */
  String requiredText(String path) throws MalformedPayload {
    String text = optionalText(path);
    if (text.isEmpty()) {
      throw new MalformedPayload("payload has no string field '" + path + "'");
    }
    return text;
  }

  /** The text at the dotted path, or {@code ""} when absent, null or not a string. */
  String optionalText(String path) {
    return text(at(root, path));
  }

  /** The objects of the array at the dotted path; throws if it is missing or not an array. */
  List<Payload> requiredArray(String path) throws MalformedPayload {
    JsonNode node = at(root, path);
    if (!node.isArray()) {
      throw new MalformedPayload("payload has no array field '" + path + "'");
    }
    return elements(node);
  }

  /** The objects of the array at the dotted path, or none. */
  List<Payload> optionalArray(String path) {
    JsonNode node = at(root, path);
    return node.isArray() ? elements(node) : List.of();
  }

  boolean isObject(String path) {
    return at(root, path).isObject();
  }

  private static List<Payload> elements(JsonNode array) {
    List<Payload> out = new ArrayList<>();
    array.forEach(
        element -> {
          if (element.isObject()) {
            out.add(new Payload(element));
          }
        });
    return out;
  }

  private static JsonNode at(JsonNode from, String dottedPath) {
    JsonNode node = from;
    for (String name : dottedPath.split("\\.")) {
      node = node.path(name);
    }
    return node;
  }

  private static String text(JsonNode node) {
    return node.isTextual() ? node.asText().strip() : "";
  }
}
