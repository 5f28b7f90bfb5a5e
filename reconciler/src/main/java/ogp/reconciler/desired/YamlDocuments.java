package ogp.reconciler.desired;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Turns the bytes of one file into YAML node trees, one per document, safely: nothing is ever
 * constructed as a Java object, and every resource a file can make us spend is bounded — its size,
 * its nesting depth and its aliases (so a "billion laughs" file is refused; see {@link
 * BoundedYaml}). Any failure becomes a one-line {@link ValidationError}; this class never throws
 * for bad content.
 *
 * <p>Documents before a syntax error are still returned, so their errors are reported too.
 */
final class YamlDocuments {
  /** The tags of YAML 1.2's core schema; any other explicit tag is refused. */
  private static final Set<Tag> STANDARD_TAGS =
      Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.SEQ, Tag.MAP, Tag.ENV_TAG);

  private final BoundedYaml yaml;

  YamlDocuments(BoundedYaml yaml) {
    this.yaml = yaml;
  }

  /** The documents of {@code content}, in file order; problems go to {@code diagnostics}. */
  List<Node> read(byte[] content, Diagnostics diagnostics) {
    SourcePosition start = new SourcePosition(diagnostics.file(), 1, 1);
    if (content.length > yaml.limits().maxBytes()) {
      diagnostics.error(
          start, DesiredStateFiles.tooLarge(content.length, yaml.limits().maxBytes()));
      return List.of();
    }
    Optional<String> text = decode(content);
    if (text.isEmpty()) {
      diagnostics.error(start, "file is not valid UTF-8");
      return List.of();
    }
    List<Node> documents = new ArrayList<>();
    try {
      Composer composer = yaml.composer(text.get());
      while (composer.hasNext()) {
        Node document = composer.next();
        checkTags(document, diagnostics);
        documents.add(document); // still validated, so all of its errors are reported
      }
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> mark =
          e.getProblemMark().isPresent() ? e.getProblemMark() : e.getContextMark();
      diagnostics.error(
          diagnostics.position(mark), "invalid YAML: " + oneLine(describe(e, diagnostics)));
    } catch (YamlEngineException e) {
      // Unmarked engine errors are limits, e.g. too many aliases.
      diagnostics.error(start, "invalid YAML: " + oneLine(e.getMessage()));
    }
    return documents;
  }

  private static Optional<String> decode(byte[] content) {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(content))
              .toString();
      return Optional.of(text.startsWith("\uFEFF") ? text.substring(1) : text);
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** Reports every node with a non-standard tag. */
  private static void checkTags(Node document, Diagnostics diagnostics) {
    // Aliases make the tree a graph; visit each node once so shared nodes cost nothing more.
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Node> pending = new ArrayList<>(List.of(document));
    while (!pending.isEmpty()) {
      Node node = pending.remove(pending.size() - 1);
      if (!seen.add(node)) continue;
      if (!STANDARD_TAGS.contains(node.getTag())) {
        diagnostics.error(
            diagnostics.position(node),
            "tag "
                + shorthand(node.getTag())
                + " is not allowed (only the standard tags !!str, !!int, !!float, !!bool, !!null,"
                + " !!seq and !!map are)");
      }
      if (node instanceof SequenceNode sequence) pending.addAll(sequence.getValue());
      if (node instanceof MappingNode mapping) {
        for (NodeTuple tuple : mapping.getValue()) {
          pending.add(tuple.getKeyNode());
          pending.add(tuple.getValueNode());
        }
      }
    }
  }

  /** The problem, and what the parser was doing where (e.g. where an unclosed quote began). */
  private static String describe(MarkedYamlEngineException e, Diagnostics diagnostics) {
    String problem = e.getProblem() == null ? "" : e.getProblem();
    String context = e.getContext() == null ? "" : e.getContext();
    if (context.isEmpty()) return problem;
    if (e.getContextMark().isPresent()
        && e.getProblemMark().isPresent()
        && e.getContextMark().get().getIndex() != e.getProblemMark().get().getIndex()) {
      SourcePosition at = diagnostics.position(e.getContextMark());
      context += " started at line " + at.line() + ", column " + at.column();
    }
    return problem + " (" + context + ")";
  }

  /** A tag as it is usually written: {@code !!java/object} rather than its full URI. */
  private static String shorthand(Tag tag) {
    String value = tag.getValue();
    return value.startsWith(Tag.PREFIX) ? "!!" + value.substring(Tag.PREFIX.length()) : value;
  }

  private static String oneLine(String message) {
    return message == null ? "unreadable" : message.replaceAll("\\s+", " ").trim();
  }
}
