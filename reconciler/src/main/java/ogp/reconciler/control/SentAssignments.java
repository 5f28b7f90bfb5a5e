package ogp.reconciler.control;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import ogp.protocol.v1.ContainerSpec;

/**
 * What each host's current agent session was last sent, and the generation counter of assignments.
 * A session that starts or ends forgets what its host was sent. Generations start above any of an
 * earlier server run (the clock's microseconds at start), so agents see them increase across
 * restarts. Thread-safe; one entry per host.
 */
final class SentAssignments {
  /**
   * What a session was sent. The specs are the plan's shared objects, so comparing a host's new
   * specs with these is mostly an identity check per container.
   */
  record Sent(long generation, Instant at, List<ContainerSpec> specs) {}

  private final Clock clock;
  private final Map<String, Sent> sent = new ConcurrentHashMap<>();
  private final AtomicLong generation;

  SentAssignments(Clock clock) {
    this.clock = clock;
    this.generation = new AtomicLong(clock.millis() * 1000);
  }

  Optional<Sent> of(String hostId) {
    return Optional.ofNullable(sent.get(hostId));
  }

  /** The generation of what the host's session was last sent; 0 when nothing yet. */
  long generationOf(String hostId) {
    Sent s = sent.get(hostId);
    return s == null ? 0 : s.generation();
  }

  boolean hasSent(String hostId) {
    return sent.containsKey(hostId);
  }

  /** The next generation, for an assignment about to be sent. */
  long nextGeneration() {
    return generation.incrementAndGet();
  }

  /** Records that the host's session got these specs at this generation, now. */
  void record(String hostId, long generation, List<ContainerSpec> specs) {
    sent.put(hostId, new Sent(generation, clock.instant(), specs));
  }

  /** A session started or ended: it has been sent nothing. */
  void forget(String hostId) {
    sent.remove(hostId);
  }
}
