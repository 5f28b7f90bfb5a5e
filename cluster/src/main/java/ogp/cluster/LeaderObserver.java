package ogp.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.election.LeaderResponse;
import io.etcd.jetcd.options.GetOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import ogp.protocol.LoopGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns who holds the election's leader key, from two sources, because neither is enough alone:
 * {@code Election.observe} reports a new leader at once but never the key's deletion (and ends when
 * its etcd member goes away: it is made again), and a poll of the key every second, which sees
 * deletions. The poll reads what {@code Election.leader()} reads (the first-created key under the
 * election's prefix) as a plain range read, so that every sighting, an empty one included, carries
 * the etcd revision it was true at: the consumer orders sightings by it, and an answer that was
 * overtaken on the way is not taken for news.
 *
 * <p>Sightings are handed to the consumer on the timer thread, never on a gRPC thread.
 */
final class LeaderObserver implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderObserver.class);
  static final Duration REOBSERVE_DELAY = Duration.ofSeconds(1);

  /** The election's leader key as etcd had it at {@code revision}; empty when nobody held it. */
  record Sighting(Optional<KeyValue> leaderKey, long revision) {}

  private final Election election;
  private final KV kv;
  private final ByteSequence electionName;
  private final ByteSequence keyPrefix;
  private final Duration callTimeout;
  private final Duration pollInterval;
  private final ScheduledExecutorService timer;
  private final Consumer<Sighting> consumer;
  private volatile boolean closed;
  private volatile boolean observeFailing;
  private ScheduledFuture<?> polls;

  LeaderObserver(
      Election election,
      KV kv,
      String electionName,
      Duration callTimeout,
      Duration pollInterval,
      ScheduledExecutorService timer,
      Consumer<Sighting> consumer) {
    this.election = election;
    this.kv = kv;
    this.electionName = EtcdCalls.bytes(electionName);
    this.keyPrefix = EtcdCalls.bytes(electionName + "/");
    this.callTimeout = callTimeout;
    this.pollInterval = pollInterval;
    this.timer = timer;
    this.consumer = consumer;
  }

  void start() {
    observe();
    polls =
        timer.scheduleWithFixedDelay(
            LoopGuard.guarded("etcd leader poll", this::poll),
            0,
            pollInterval.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /** Reads the leader key now; the sighting reaches the consumer like any other. */
  void poll() {
    if (closed) return;
    read()
        .whenComplete(
            (sighting, error) -> {
              if (error != null) log.debug("Polling the etcd leader key failed", error);
              else hand(sighting);
            });
  }

  /**
   * The election's first-created key (what {@code Election.leader()} reads) and the revision it was
   * read at, with the call timeout.
   */
  CompletableFuture<Sighting> read() {
    GetOption firstCreated =
        GetOption.builder()
            .isPrefix(true)
            .withSortField(GetOption.SortTarget.CREATE)
            .withSortOrder(GetOption.SortOrder.ASCEND)
            .withLimit(1)
            .build();
    return kv.get(keyPrefix, firstCreated)
        .orTimeout(callTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .thenApply(
            answer ->
                new Sighting(
                    answer.getKvs().stream().findFirst(), answer.getHeader().getRevision()));
  }

  private void observe() {
    if (closed) return;
    election.observe(
        electionName,
        new Election.Listener() {
          @Override
          public void onNext(LeaderResponse response) {
            if (observeFailing) {
              observeFailing = false;
              log.info("Observing the etcd election again");
            }
            hand(
                new Sighting(
                    Optional.ofNullable(response.getKv()), response.getHeader().getRevision()));
          }

          @Override
          public void onError(Throwable error) {
            again(EtcdCalls.message(error));
          }

          @Override
          public void onCompleted() {
            again("the stream ended");
          }
        });
  }

  private void again(String why) {
    if (closed) return;
    if (!observeFailing) {
      observeFailing = true;
      log.info(
          "Observing the etcd election stopped ({}); observing again every {} ms",
          why,
          REOBSERVE_DELAY.toMillis());
    }
    Timers.schedule(timer, REOBSERVE_DELAY, "etcd election observe", this::observe);
  }

  private void hand(Sighting sighting) {
    if (!closed) Timers.submit(timer, "etcd leader sighting", () -> consumer.accept(sighting));
  }

  @Override
  public void close() {
    closed = true;
    if (polls != null) polls.cancel(false);
  }
}
