package ogp.reconciler.desired;

import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.ParserException;
import org.snakeyaml.engine.v2.parser.Parser;

/**
 * A parser that refuses collections nested deeper than a limit. snakeyaml's composer builds the
 * node tree recursively, so a small file of {@code [[[[...} would otherwise end in a {@link
 * StackOverflowError}; refusing it as a marked parse error keeps bad input an ordinary
 * validation error.
 */
final class DepthLimitedParser implements Parser {
  private final Parser delegate;
  private final int maxDepth;
  private int depth;

  DepthLimitedParser(Parser delegate, int maxDepth) {
    this.delegate = delegate;
    this.maxDepth = maxDepth;
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
      default -> {}
    }
    return event;
  }
}
