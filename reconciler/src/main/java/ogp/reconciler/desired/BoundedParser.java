package ogp.reconciler.desired;

import java.util.function.Consumer;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.ParserException;
import org.snakeyaml.engine.v2.parser.Parser;

/**
 * A parser that refuses, with the position of the offending event, collections nested deeper than a
 * limit and more aliases than a limit. snakeyaml's composer builds the node tree recursively, so a
 * small file of {@code [[[[...} would otherwise end in a {@link StackOverflowError}; and although
 * the composer shares aliased nodes, anything that walks the tree as a tree pays for every alias,
 * which is what a "billion laughs" file exploits. A desired-state file has no need for either, so
 * both are refused as ordinary parse errors.
 */
final class BoundedParser implements Parser {
  private final Parser delegate;
  private final int maxDepth;
  private final int maxAliases;
  private int depth;
  private int aliases;

  private final Consumer<Event> observer;

  /**
   * @param observer is told of each event this passes on (the change path records where documents
   *     start and end)
   */
  BoundedParser(Parser delegate, int maxDepth, int maxAliases, Consumer<Event> observer) {
    this.delegate = delegate;
    this.maxDepth = maxDepth;
    this.maxAliases = maxAliases;
    this.observer = observer;
  }

  @Override
  public boolean checkEvent(Event.ID choice) {
    return delegate.checkEvent(choice);
  }

  @Override
  public Event peekEvent() {
    return delegate.peekEvent();
  }

  @Override
  public boolean hasNext() {
    return delegate.hasNext();
  }

  @Override
  public Event next() {
    Event event = delegate.next();
    switch (event.getEventId()) {
      case SequenceStart, MappingStart -> {
        if (++depth > maxDepth) {
          throw new ParserException(
              "collections nested deeper than " + maxDepth + " levels", event.getStartMark());
        }
      }
      case SequenceEnd, MappingEnd -> depth--;
      case Alias -> {
        if (++aliases > maxAliases) {
          throw new ParserException(
              "more than "
                  + maxAliases
                  + " aliases in one file"
                  + " (refused: aliases could expand without bound)",
              event.getStartMark());
        }
      }
      default -> {}
    }
    observer.accept(event);
    return event;
  }
}
