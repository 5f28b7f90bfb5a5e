package ogp.reconciler.agents;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import ogp.protocol.LogText;
import ogp.protocol.LoopGuard;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Redirect;
import ogp.protocol.v1.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision a {@link RedirectingAgentPort} takes on a connection's first frame, and the
 * connections it holds meanwhile ("parked").
 *
 * <p>Policy: when the leader known now was seen answering on its agent address within the freshness
 * ({@link LeaderProbe}), the agent is redirected at once. When one is known whose agent port did
 * not answer a probe lately, or none is known while this replica itself was elected (its hand-over
 * to its server not done yet), the connection is parked: kept open and unanswered. When no leader
 * is known and this replica was not elected, the answer is NOT_LEADER at once, as it always was:
 * nothing here would learn of a leader sooner than the agent finds one by trying the next server (a
 * replica cut off from etcd, or restarted while its old leader key lives on, would hold agents for
 * the whole bound for nothing). While anything is parked, one task ({@code ogp-agent-port-park})
 * runs every {@link Parking#probeEvery()}: it probes the leader known then, and as soon as a probe
 * of the current leader's address succeeds every parked connection is redirected there, in one
 * batch with one INFO line. A connection parked for {@link Parking#bound()} is answered all the
 * same: a Redirect to the leader known then (it may answer agents where it does not answer this
 * replica), or NOT_LEADER when none is known. Over {@link Parking#cap()} parked, a new one is
 * answered NOT_LEADER at once. A parked connection that closes (the agent gave up, the port closed)
 * is forgotten.
 *
 * <p>Threads: {@link #arrive} and {@link #left} run on event loops; the ticker does the rest and
 * hands each answer to its connection's event loop. The suppliers read memory only; one that throws
 * counts as no leader known, or not elected.
 */
final class ParkedAgents implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ParkedAgents.class);

  static final String FULL =
      "this server is not the leader and holds as many agents waiting for it as it may; try another"
          + " server";

  private record Parked(Consumer<Envelope> answer, long sinceNanos) {}

  private final Supplier<Optional<LeaderRedirect>> leader;
  private final BooleanSupplier electedHere;
  private final Parking parking;
  private final ParkedAgentCounts counts;
  private final RedirectingAgentPort.Counters answers;
  private final LeaderProbe probe;
  private final ScheduledExecutorService ticker;
  private final Map<Channel, Parked> parked = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean ticking = new AtomicBoolean();
  private volatile boolean closed;

  ParkedAgents(
      Supplier<Optional<LeaderRedirect>> leader,
      BooleanSupplier electedHere,
      Parking parking,
      ParkedAgentCounts counts,
      RedirectingAgentPort.Counters answers,
      EventLoopGroup probeLoop) {
    this.leader = leader;
    this.electedHere = electedHere;
    this.parking = parking;
    this.counts = counts;
    this.answers = answers;
    this.probe = new LeaderProbe(probeLoop, parking);
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ogp-agent-port-park");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Event loop: a valid first frame arrived on {@code channel}. The answer to send now, or empty
   * when the connection is parked: then {@code later} gets its answer on the channel's event loop.
   */
  Optional<Envelope> arrive(Channel channel, Consumer<Envelope> later) {
    Optional<LeaderRedirect> to = currentLeader();
    if (to.isPresent() && probe.answeredRecently(to.get().agentAddress()))
      return Optional.of(redirect(to.get()));
    if (to.isEmpty() && !electedHere()) return Optional.of(notLeader());
    if (closed) return Optional.of(to.map(this::redirect).orElseGet(this::notLeader));
    if (size.incrementAndGet() > parking.cap()) {
      size.decrementAndGet();
      counts.overCap.incrementAndGet();
      log.debug("parked agents at the cap of {}: NOT_LEADER", parking.cap());
      answers.noLeader.incrementAndGet();
      return Optional.of(notLeaderFrame(FULL));
    }
    parked.put(channel, new Parked(later, System.nanoTime()));
    counts.parked.incrementAndGet();
    counts.parkedNow.incrementAndGet();
    log.debug("parked {} until the leader's agent port answers", Session.describe(channel));
    wake();
    return Optional.empty();
  }

  /** Event loop: {@code channel} closed; forgotten if it was parked. */
  void left(Channel channel) {
    if (take(channel) != null) counts.closed.incrementAndGet();
  }

  /** Connections parked now. */
  int size() {
    return size.get();
  }

  /** Stops the ticker and the probe; parked connections are left to the port, which closes them. */
  @Override
  public void close() {
    closed = true;
    ticker.shutdownNow();
    probe.close();
  }

  // --- the ticker -------------------------------------------------------------------------------

  private void wake() {
    if (ticking.compareAndSet(false, true)) schedule(0);
  }

  private void schedule(long delayMillis) {
    try {
      ticker.schedule(this::tick, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      ticking.set(false); // closed
    }
  }

  /** One turn, then the next while anything is parked. */
  private void tick() {
    LoopGuard.run("answering parked agents", this::turn);
    if (closed) return;
    if (size.get() > 0) {
      schedule(parking.probeEvery().toMillis());
      return;
    }
    ticking.set(false);
    // Parked between the check above and the reset: nobody else will schedule for it.
    if (size.get() > 0 && ticking.compareAndSet(false, true)) schedule(0);
  }

  /** Ticker: release when the leader answers; else answer the expired, and probe again. */
  private void turn() {
    if (closed || size.get() == 0) return;
    Optional<LeaderRedirect> to = currentLeader();
    if (to.isPresent() && probe.answeredRecently(to.get().agentAddress())) {
      release(to.get());
      return;
    }
    expire(to);
    if (to.isPresent() && size.get() > 0) probe.probe(to.get().agentAddress(), this::answeredSoon);
  }

  /** Event loop of the probe: the leader answered; release on the ticker without waiting a turn. */
  private void answeredSoon() {
    try {
      ticker.execute(LoopGuard.guarded("answering parked agents", this::turn));
    } catch (RejectedExecutionException closing) {
      // closed meanwhile: the port closes the parked connections
    }
  }

  /** Ticker: every parked connection to {@code to}, in one batch. */
  private void release(LeaderRedirect to) {
    long now = System.nanoTime();
    int released = 0;
    long longestNanos = 0;
    Envelope answer = redirectFrame(to);
    for (Iterator<Channel> it = parked.keySet().iterator(); it.hasNext(); ) {
      Channel channel = it.next();
      Parked p = take(channel);
      if (p == null) continue;
      released++;
      longestNanos = Math.max(longestNanos, now - p.sinceNanos());
      answers.redirected.incrementAndGet();
      counts.redirected.incrementAndGet();
      deliver(channel, p, answer);
    }
    if (released > 0)
      log.info(
          "redirected {} parked agent(s) to {} (epoch {}) after {} ms",
          released,
          LogText.quote(to.agentAddress()),
          to.epoch(),
          TimeUnit.NANOSECONDS.toMillis(longestNanos));
  }

  /** Ticker: the connections parked for the bound get the answer known now. */
  private void expire(Optional<LeaderRedirect> to) {
    long now = System.nanoTime();
    long boundNanos = parking.bound().toNanos();
    Envelope answer = to.map(ParkedAgents::redirectFrame).orElseGet(ParkedAgents::notLeaderFrame);
    int expired = 0;
    for (Map.Entry<Channel, Parked> e : parked.entrySet()) {
      if (now - e.getValue().sinceNanos() < boundNanos) continue;
      Parked p = take(e.getKey());
      if (p == null) continue;
      expired++;
      if (to.isPresent()) answers.redirected.incrementAndGet();
      else answers.noLeader.incrementAndGet();
      counts.timedOut.incrementAndGet();
      deliver(e.getKey(), p, answer);
    }
    if (expired > 0)
      log.info(
          "answered {} parked agent(s) after the {} ms bound: {}",
          expired,
          parking.bound().toMillis(),
          to.map(
                  l ->
                      "redirected to "
                          + LogText.quote(l.agentAddress())
                          + " (epoch "
                          + l.epoch()
                          + "), whose agent port did not answer this replica's probes")
              .orElse("NOT_LEADER, no leader is known"));
  }

  /** Removes a parked connection; null when it was not (or no longer) parked. Any thread. */
  private Parked take(Channel channel) {
    Parked p = parked.remove(channel);
    if (p != null) {
      size.decrementAndGet();
      counts.parkedNow.decrementAndGet();
    }
    return p;
  }

  private static void deliver(Channel channel, Parked p, Envelope answer) {
    try {
      channel.eventLoop().execute(() -> p.answer().accept(answer));
    } catch (RejectedExecutionException closing) {
      // the port's event loop is gone, and with it the connection
    }
  }

  // --- answers ----------------------------------------------------------------------------------

  /** The supplier's answer; one that throws counts as no leader known (and is logged). */
  private Optional<LeaderRedirect> currentLeader() {
    try {
      return leader.get();
    } catch (RuntimeException e) {
      log.warn("cannot tell where the leader is: {}", LogText.quote(e.toString()));
      return Optional.empty();
    }
  }

  /** The supplier's answer; one that throws counts as not elected (and is logged). */
  private boolean electedHere() {
    try {
      return electedHere.getAsBoolean();
    } catch (RuntimeException e) {
      log.warn("cannot tell whether this replica was elected: {}", LogText.quote(e.toString()));
      return false;
    }
  }

  private Envelope redirect(LeaderRedirect to) {
    answers.redirected.incrementAndGet();
    return redirectFrame(to);
  }

  private Envelope notLeader() {
    answers.noLeader.incrementAndGet();
    return notLeaderFrame();
  }

  private static Envelope redirectFrame(LeaderRedirect to) {
    return Envelope.newBuilder()
        .setRedirect(Redirect.newBuilder().setAgentAddress(to.agentAddress()).setEpoch(to.epoch()))
        .build();
  }

  private static Envelope notLeaderFrame() {
    return notLeaderFrame(RedirectHandler.NO_LEADER);
  }

  private static Envelope notLeaderFrame(String reason) {
    return Envelope.newBuilder()
        .setRefusal(HelloCheck.refusal(Refusal.Code.NOT_LEADER, reason))
        .build();
  }
}
