package ogp.bench.sim;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When the simulated fleet first heard from each leader epoch: the receive time ({@link
 * System#nanoTime()}) of the first Welcome and the first Assignment stamped with it, recorded
 * without locks from the event loops.
 *
 * <p>Bounded: at most {@link #MAX_EPOCHS} epochs are kept (a run sees a handful); later ones are
 * only counted in {@link #overflow()}.
 */
public final class EpochTimeline {
  static final int MAX_EPOCHS = 256;

  private final Map<Long, Long> firstWelcome = new ConcurrentHashMap<>();
  private final Map<Long, Long> firstAssignment = new ConcurrentHashMap<>();
  private final AtomicLong overflow = new AtomicLong();

  void welcome(long epoch, long nanos) {
    record(firstWelcome, epoch, nanos);
  }

  void assignment(long epoch, long nanos) {
    record(firstAssignment, epoch, nanos);
  }

  private void record(Map<Long, Long> firsts, long epoch, long nanos) {
    if (firsts.containsKey(epoch)) return;
    if (firsts.size() >= MAX_EPOCHS) {
      overflow.incrementAndGet();
      return;
    }
    firsts.putIfAbsent(epoch, nanos);
  }

  /** The first Assignment received at an epoch above {@code epoch}: its epoch and receive time. */
  public Optional<Seen> firstAssignmentAbove(long epoch) {
    return earliestAbove(firstAssignment, epoch);
  }

  /** The first Welcome received at an epoch above {@code epoch}: its epoch and receive time. */
  public Optional<Seen> firstWelcomeAbove(long epoch) {
    return earliestAbove(firstWelcome, epoch);
  }

  /** The receive time of the first Welcome at exactly {@code epoch}. */
  public OptionalLong firstWelcomeAt(long epoch) {
    Long nanos = firstWelcome.get(epoch);
    return nanos == null ? OptionalLong.empty() : OptionalLong.of(nanos);
  }

  private static Optional<Seen> earliestAbove(Map<Long, Long> firsts, long epoch) {
    Seen best = null;
    for (Map.Entry<Long, Long> e : firsts.entrySet()) {
      if (e.getKey() > epoch && (best == null || e.getValue() - best.nanos() < 0))
        best = new Seen(e.getKey(), e.getValue());
    }
    return Optional.ofNullable(best);
  }

  /** Epochs seen after the first {@link #MAX_EPOCHS}, not recorded. */
  public long overflow() {
    return overflow.get();
  }

  /** An epoch and the moment ({@link System#nanoTime()}) a frame stamped with it was received. */
  public record Seen(long epoch, long nanos) {}
}
