package ogp.reconciler.control;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observers of the control loop. Each is called on the thread of the event, one after the
 * other; an observer that throws is logged and skipped, never stops the loop. Copy-on-write:
 * observers are added once at wiring time and read on every event.
 */
final class ReconcilerObservers {
  private static final Logger log = LoggerFactory.getLogger(ReconcilerObservers.class);

  private final List<ReconcilerObserver> observers = new CopyOnWriteArrayList<>();

  void add(ReconcilerObserver observer) {
    observers.add(Objects.requireNonNull(observer, "observer"));
  }

  void tell(Consumer<ReconcilerObserver> call) {
    for (ReconcilerObserver o : observers) {
      try {
        call.accept(o);
      } catch (RuntimeException e) {
        // An observer only watches; its failure must never stop the control loop.
        log.error("reconciler observer {} failed", o.getClass().getSimpleName(), e);
      }
    }
  }
}
