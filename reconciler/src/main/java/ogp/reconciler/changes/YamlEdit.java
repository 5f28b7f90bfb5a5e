package ogp.reconciler.changes;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import ogp.reconciler.desired.BoundedYaml;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Byte-minimal edits of one app's document in a desired-state file (pure; no I/O).
 *
 * <p>Policy: a value is changed by replacing exactly the text span the YAML node marks give for it,
 * so comments, key order, quoting elsewhere, other documents of the file, line endings and a
 * byte-order mark stay byte-identical. Dumping a YAML tree would lose all of that. A scalar keeps
 * its quoting style; a plain scalar stays plain only while the new text would still read back as
 * the same string, otherwise it is double-quoted. A missing {@code state} key is inserted on its
 * own line after {@code version}, with the same indentation and line ending. A {@code hosts} list
 * keeps its flow or block layout. Whatever cannot be edited that way (an alias, a block scalar, a
 * flow-style document missing the key, placement by selector) is refused with {@link
 * ChangeRefused}, never guessed.
 */
final class YamlEdit {
  /** Plain scalars that a reader could take for something other than the same text are quoted. */
  private static final Pattern SAFE_PLAIN = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-/:]*");

  private static final Pattern SAFE_PLAIN_ITEM = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]*");

  private YamlEdit() {}

  /**
   * Applies {@code edit} to the document of {@code app} in {@code content}.
   *
   * @param file the file's name, for messages
   * @return the new content; equal to {@code content} when the value was already set
   * @throws UnknownApp when no document of the file is the app
   * @throws ChangeRefused when the value cannot be edited in place
   */
  public static byte[] apply(String file, byte[] content, String app, Edit edit) {
    YamlText text = YamlText.of(content);
    MappingNode document = findDocument(file, text, app);
    String edited;
    if (edit instanceof Edit.SetVersion v) {
      edited = setScalar(text, document, app, "version", v.version());
    } else if (edit instanceof Edit.SetState s) {
      edited = setState(text, document, app, s.state());
    } else {
      edited = setHosts(text, document, app, ((Edit.SetHosts) edit).hosts());
    }
    return text.encode(edited);
  }

  /** Applies several edits in order, re-reading the document between them. */
  public static byte[] applyAll(String file, byte[] content, String app, List<Edit> edits) {
    byte[] result = content;
    for (Edit edit : edits) {
      result = apply(file, result, app, edit);
    }
    return result;
  }

  /** Whether {@code content} holds a document whose top-level {@code app} is {@code app}. */
  public static boolean holds(byte[] content, String app) {
    try {
      YamlText text = YamlText.of(content);
      return documents(text).stream().anyMatch(d -> isApp(d, app));
    } catch (RuntimeException e) {
      return false;
    }
  }

  // --- the three edits -----------------------------------------------------------------------

  private static String setScalar(
      YamlText text, MappingNode document, String app, String key, String value) {
    NodeTuple tuple =
        tuple(document, key)
            .orElseThrow(
                () -> new ChangeRefused("App " + app + " has no " + key + " key to change."));
    ScalarNode scalar = editableScalar(text, tuple, app, key);
    if (scalar.getValue().equals(value)) return text.body();
    String replacement =
        switch (scalar.getScalarStyle()) {
          case DOUBLE_QUOTED -> doubleQuoted(value);
          case SINGLE_QUOTED -> "'" + value.replace("'", "''") + "'";
          case PLAIN -> readsBackPlain(value) ? value : doubleQuoted(value);
          default ->
              throw new ChangeRefused(
                  "The " + key + " of app " + app + " is a block scalar; edit it in Git by hand.");
        };
    return text.replace(start(text, scalar), end(text, scalar), replacement);
  }

  private static String setState(YamlText text, MappingNode document, String app, String state) {
    if (tuple(document, "state").isPresent()) {
      return setScalar(text, document, app, "state", state);
    }
    if ("running".equals(state)) return text.body(); // running is the default: nothing to write
    if (document.getFlowStyle() == FlowStyle.FLOW) {
      throw new ChangeRefused(
          "App "
              + app
              + " is written as a flow mapping without a state key;"
              + " add it in Git by hand.");
    }
    NodeTuple version =
        tuple(document, "version")
            .orElseThrow(
                () ->
                    new ChangeRefused(
                        "App " + app + " has no version key to put the state after."));
    String body = text.body();
    int keyStart = start(text, version.getKeyNode());
    int lineStart = body.lastIndexOf('\n', keyStart - 1) + 1;
    String indent = body.substring(lineStart, keyStart);
    if (!indent.isBlank()) {
      throw new ChangeRefused(
          "The version key of app "
              + app
              + " does not start its line; add the state in Git by hand.");
    }
    int lineEnd = body.indexOf('\n', end(text, version.getValueNode()));
    String newline = text.lineEnding();
    if (lineEnd < 0) {
      return body + newline + indent + "state: " + state;
    }
    return text.replace(lineEnd + 1, lineEnd + 1, indent + "state: " + state + newline);
  }

  private static String setHosts(
      YamlText text, MappingNode document, String app, List<String> hosts) {
    Optional<NodeTuple> tuple = tuple(document, "hosts");
    if (tuple.isEmpty()) {
      if (tuple(document, "selector").isPresent()) {
        throw new ChangeRefused(
            "App "
                + app
                + " is placed by selector, not by a hosts list;"
                + " change its selector in Git instead.");
      }
      throw new ChangeRefused("App " + app + " has no hosts list to change.");
    }
    if (!(tuple.get().getValueNode() instanceof SequenceNode list)
        || isAlias(text, tuple.get())
        || list.getAnchor().isPresent()) {
      throw new ChangeRefused(
          "The hosts of app " + app + " are not a plain list; edit them in Git by hand.");
    }
    List<String> current =
        list.getValue().stream().map(n -> n instanceof ScalarNode s ? s.getValue() : null).toList();
    if (current.equals(hosts)) return text.body();
    ScalarStyle itemStyle =
        list.getValue().isEmpty() || !(list.getValue().get(0) instanceof ScalarNode first)
            ? ScalarStyle.PLAIN
            : first.getScalarStyle();
    List<String> items = hosts.stream().map(h -> item(h, itemStyle)).toList();
    if (list.getFlowStyle() == FlowStyle.FLOW || list.getValue().isEmpty() || hosts.isEmpty()) {
      if (list.getFlowStyle() != FlowStyle.FLOW && !list.getValue().isEmpty()) {
        // An empty block list cannot be written as a block; a flow [] keeps the key valid.
        return text.replace(
            blockListStart(text, list, app),
            end(text, list.getValue().get(list.getValue().size() - 1)),
            "[]");
      }
      return text.replace(start(text, list), end(text, list), "[" + String.join(", ", items) + "]");
    }
    // A block list's own end mark lies after trailing comments; span from the first dash to the
    // last item.
    int from = blockListStart(text, list, app);
    int to = end(text, list.getValue().get(list.getValue().size() - 1));
    String body = text.body();
    String indent = body.substring(body.lastIndexOf('\n', from - 1) + 1, from);
    String separator = text.lineEnding() + indent + "- ";
    return text.replace(from, to, "- " + String.join(separator, items));
  }

  private static int blockListStart(YamlText text, SequenceNode list, String app) {
    String body = text.body();
    int firstItem = start(text, list.getValue().get(0));
    int dash = body.lastIndexOf('-', firstItem - 1);
    int lineStart = body.lastIndexOf('\n', firstItem - 1) + 1;
    if (dash < lineStart || !body.substring(lineStart, dash).isBlank()) {
      throw new ChangeRefused(
          "The hosts list of app "
              + app
              + " is laid out in a way this edit does not handle;"
              + " edit it in Git by hand.");
    }
    return dash;
  }

  // --- reading the node tree -----------------------------------------------------------------

  private static MappingNode findDocument(String file, YamlText text, String app) {
    List<Node> documents;
    try {
      documents = documents(text);
    } catch (YamlEngineException e) {
      throw new ChangeRefused(
          file + " is not valid YAML, so app " + app + " cannot be edited: " + problem(e));
    }
    return documents.stream()
        .filter(d -> isApp(d, app))
        .map(MappingNode.class::cast)
        .findFirst()
        .orElseThrow(() -> new UnknownApp("No document of " + file + " is app " + app + "."));
  }

  /** The file's documents, composed within the reader's limits (depth, aliases, size). */
  private static List<Node> documents(YamlText text) {
    List<Node> out = new java.util.ArrayList<>();
    BoundedYaml.DEFAULT.composer(text.parsed()).forEachRemaining(out::add);
    return out;
  }

  /** The parser's problem and where it is, on one line (its message spans several). */
  static String problem(YamlEngineException e) {
    if (e instanceof MarkedYamlEngineException m && m.getProblem() != null) {
      return m.getProblem()
          + m.getProblemMark()
              .map(at -> " (line " + (at.getLine() + 1) + ", column " + (at.getColumn() + 1) + ")")
              .orElse("");
    }
    return String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip();
  }

  private static boolean isApp(Node document, String app) {
    return appName(document).filter(app::equals).isPresent();
  }

  /** The top-level {@code app} of a document, when it is a mapping with a scalar there. */
  static Optional<String> appName(Node document) {
    return document instanceof MappingNode mapping
        ? tuple(mapping, "app")
            .map(NodeTuple::getValueNode)
            .filter(ScalarNode.class::isInstance)
            .map(n -> ((ScalarNode) n).getValue())
        : Optional.empty();
  }

  private static Optional<NodeTuple> tuple(MappingNode mapping, String key) {
    return mapping.getValue().stream()
        .filter(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key))
        .findFirst();
  }

  private static ScalarNode editableScalar(YamlText text, NodeTuple tuple, String app, String key) {
    // An alias or an anchored value is shared with other places: changing it here would change
    // those too.
    if (!(tuple.getValueNode() instanceof ScalarNode scalar)
        || isAlias(text, tuple)
        || scalar.getAnchor().isPresent()) {
      throw new ChangeRefused(
          "The " + key + " of app " + app + " is not a plain value; edit it in Git by hand.");
    }
    if (!scalar.getTag().equals(Tag.STR) && scalar.getScalarStyle() != ScalarStyle.PLAIN) {
      throw new ChangeRefused(
          "The " + key + " of app " + app + " carries an explicit tag; edit it in Git by hand.");
    }
    return scalar;
  }

  /** An alias value points at its anchor's node, whose marks lie before the key. */
  private static boolean isAlias(YamlText text, NodeTuple tuple) {
    return start(text, tuple.getValueNode()) < end(text, tuple.getKeyNode());
  }

  /** Where a node starts, as a char index into the text (marks count code points). */
  private static int start(YamlText text, Node node) {
    return text.charIndex(node.getStartMark().map(Mark::getIndex).orElseThrow());
  }

  private static int end(YamlText text, Node node) {
    return text.charIndex(node.getEndMark().map(Mark::getIndex).orElseThrow());
  }

  // --- writing scalars -----------------------------------------------------------------------

  /**
   * Whether {@code value} written plain reads back as the same string (not a null or a boolean).
   */
  private static boolean readsBackPlain(String value) {
    if (!SAFE_PLAIN.matcher(value).matches()) return false;
    try {
      Node node = BoundedYaml.DEFAULT.composer("v: " + value).getSingleNode().orElseThrow();
      Node read = ((MappingNode) node).getValue().get(0).getValueNode();
      return read instanceof ScalarNode s
          && s.getValue().equals(value)
          && !s.getTag().equals(Tag.NULL)
          && !s.getTag().equals(Tag.BOOL);
    } catch (YamlEngineException e) {
      return false;
    }
  }

  private static String item(String value, ScalarStyle style) {
    return switch (style) {
      case DOUBLE_QUOTED -> doubleQuoted(value);
      case SINGLE_QUOTED -> "'" + value.replace("'", "''") + "'";
      default ->
          SAFE_PLAIN_ITEM.matcher(value).matches() && readsBackPlain(value)
              ? value
              : doubleQuoted(value);
    };
  }

  private static String doubleQuoted(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format("\\x%02x", (int) c));
          else out.append(c);
        }
      }
    }
    return out.append('"').toString();
  }
}
