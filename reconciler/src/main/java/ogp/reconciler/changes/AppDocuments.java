package ogp.reconciler.changes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ogp.reconciler.desired.BoundedYaml;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.DocumentEndEvent;
import org.snakeyaml.engine.v2.events.DocumentStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The documents of one desired-state file as spans of its text, each with the app it defines: what
 * lets a revert change one app's document and leave every other document of the file byte for byte
 * (pure; no I/O).
 *
 * <p>Policy: a document's span runs from the start of its {@code ---} line (the start of the file
 * for the first document) to the start of the next document's span; after an explicit {@code ...}
 * end the next span starts on the following line. So comments between two documents belong to the
 * document after them, and the spans of a file are exactly its text. The file is composed within
 * the reader's limits ({@link BoundedYaml}); text that is not valid YAML or UTF-8 is refused with
 * {@link ChangeRefused}.
 */
final class AppDocuments {
  private record Span(int from, int to, Optional<String> app, boolean empty) {}

  /** Where a document's {@code ---} line starts and where the line after its {@code ...} does. */
  private record Parsed(int startLine, int afterEnd, Optional<String> app, boolean empty) {}

  private final YamlText text;
  private final List<Span> spans;

  private AppDocuments(YamlText text, List<Span> spans) {
    this.text = text;
    this.spans = spans;
  }

  /**
   * The documents of {@code content}.
   *
   * @param where the file and revision, for messages ({@code apps/web.yaml at 3f2a1c9})
   * @throws ChangeRefused when the content is not valid YAML or not UTF-8
   */
  static AppDocuments of(String where, byte[] content) {
    YamlText text = YamlText.of(content);
    String body = text.body();
    DocumentEvents events = new DocumentEvents();
    List<Parsed> documents = new ArrayList<>();
    try {
      Composer composer = BoundedYaml.DEFAULT.composer(body, events::seen);
      while (composer.hasNext()) {
        Node document = composer.next();
        int start = lineStart(body, text.charIndex(index(events.start.getStartMark())));
        int afterEnd =
            events.end.isExplicit()
                ? nextLine(body, text.charIndex(index(events.end.getEndMark())))
                : -1;
        documents.add(new Parsed(start, afterEnd, YamlEdit.appName(document), isEmpty(document)));
      }
    } catch (YamlEngineException e) {
      throw new ChangeRefused(where + " is not valid YAML: " + YamlEdit.problem(e));
    }
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      spans.add(
          new Span(
              from(documents, i),
              i + 1 < documents.size() ? from(documents, i + 1) : body.length(),
              documents.get(i).app(),
              documents.get(i).empty()));
    }
    return new AppDocuments(text, spans);
  }

  /** Where the span of document {@code i} starts. */
  private static int from(List<Parsed> documents, int i) {
    if (i == 0) return 0;
    int afterPreviousEnd = documents.get(i - 1).afterEnd();
    return afterPreviousEnd >= 0 ? afterPreviousEnd : documents.get(i).startLine();
  }

  /** The text of the app's document, when the file has one. */
  Optional<String> document(String app) {
    return span(app).map(s -> text.body().substring(s.from(), s.to()));
  }

  /**
   * The file with the app's document replaced by {@code document}; an empty {@code document}
   * removes it, and when no other document of the file holds anything the file goes (empty).
   */
  Optional<byte[]> with(String app, String document) {
    Span span = span(app).orElseThrow(() -> new IllegalArgumentException("no document " + app));
    if (document.isEmpty() && spans.stream().allMatch(s -> s == span || s.empty())) {
      return Optional.empty();
    }
    return Optional.of(text.encode(text.replace(span.from(), span.to(), document)));
  }

  /** The document's text as UTF-8, for the merge. */
  static byte[] bytes(String document) {
    return document.getBytes(StandardCharsets.UTF_8);
  }

  private Optional<Span> span(String app) {
    return spans.stream().filter(s -> s.app().filter(app::equals).isPresent()).findFirst();
  }

  /** An empty document: {@code ---} with nothing after it, or only comments. */
  private static boolean isEmpty(Node document) {
    return document instanceof ScalarNode scalar
        && scalar.getTag().equals(Tag.NULL)
        && scalar.getValue().isEmpty();
  }

  private static int index(Optional<Mark> mark) {
    return mark.map(Mark::getIndex).orElseThrow();
  }

  private static int lineStart(String body, int index) {
    return body.lastIndexOf('\n', index - 1) + 1;
  }

  private static int nextLine(String body, int index) {
    int n = body.indexOf('\n', index);
    return n < 0 ? body.length() : n + 1;
  }

  /** The last document start and end the composer took: where its document is in the text. */
  private static final class DocumentEvents {
    DocumentStartEvent start;
    DocumentEndEvent end;

    void seen(Event event) {
      if (event instanceof DocumentStartEvent s) start = s;
      if (event instanceof DocumentEndEvent e) end = e;
    }
  }
}
