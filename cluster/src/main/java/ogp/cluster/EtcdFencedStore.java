package ogp.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import ogp.protocol.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FencedStore} on etcd: keys live under {@code <prefix>state/}.
 *
 * <p>A write of the leader ({@link #put}, {@link #delete}) is one transaction {@code If(create
 * revision of the leader key == epoch) Then(write)}: when this replica's leader key is gone or was
 * replaced, etcd refuses it as a whole, however late the write arrives, and the call returns false
 * (counted in {@link #fencedWrites()}). A replica that knows it does not lead does not ask etcd at
 * all. {@link #putIfAbsent} is {@code If(version == 0) Then(put) Else(get)}, for any replica.
 *
 * <p>Every call waits at most the call timeout; a timeout or an error answer is a {@link
 * ClusterUnavailable} (for a write that timed out, etcd may still apply it: a retry must be
 * idempotent, as every write of the leader's state is). Watches dispatch on the store's own thread.
 */
public final class EtcdFencedStore implements FencedStore {
  private static final Logger log = LoggerFactory.getLogger(EtcdFencedStore.class);

  /** The most keys {@link #list} returns; more is a bug in what the caller stores, not a load. */
  static final int MAX_LIST = 10_000;

  /** Watch answers waiting for the dispatch thread; beyond, the watch restarts where it was. */
  static final int WATCH_QUEUE = 4096;

  static final Duration REWATCH_DELAY = Duration.ofMillis(500);

  private final KV kv;
  private final Watch watch;
  private final Lease leases;
  private final String prefix;
  private final Duration callTimeout;
  private final Supplier<Optional<Fence>> fence;
  private final ScheduledExecutorService timer;
  private final ThreadPoolExecutor dispatch;
  private final AtomicLong fencedWrites = new AtomicLong();

  /**
   * @param clusterPrefix the cluster's key prefix ({@code /ogp/})
   * @param fence this replica's leader key and epoch while it leads
   * @param timer for re-watching after a delay
   */
  EtcdFencedStore(
      KV kv,
      Watch watch,
      String clusterPrefix,
      Duration callTimeout,
      Supplier<Optional<Fence>> fence,
      ScheduledExecutorService timer) {
    this(kv, watch, null, clusterPrefix, callTimeout, fence, timer);
  }

  /**
   * @param leases grants the leases of {@link #putIfAbsentFenced}'s markers; null: that call is not
   *     available
   */
  EtcdFencedStore(
      KV kv,
      Watch watch,
      Lease leases,
      String clusterPrefix,
      Duration callTimeout,
      Supplier<Optional<Fence>> fence,
      ScheduledExecutorService timer) {
    this.kv = kv;
    this.leases = leases;
    this.watch = watch;
    this.prefix = clusterPrefix + "state/";
    this.callTimeout = callTimeout;
    this.fence = fence;
    this.timer = timer;
    this.dispatch =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(WATCH_QUEUE),
            runnable -> {
              Thread thread = new Thread(runnable, "ogp-etcd-watch");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Writes refused because this replica no longer led at its epoch (by etcd or by itself). */
  public long fencedWrites() {
    return fencedWrites.get();
  }

  @Override
  public Optional<byte[]> get(String key) {
    GetResponse answer =
        EtcdCalls.await(kv.get(full(key)), callTimeout, "read " + LogText.quote(key));
    return answer.getKvs().stream().findFirst().map(kv -> kv.getValue().getBytes());
  }

  @Override
  public Map<String, byte[]> list(String keyPrefix) {
    GetResponse answer =
        EtcdCalls.await(
            kv.get(
                full(keyPrefix),
                GetOption.builder()
                    .isPrefix(true)
                    .withSortField(GetOption.SortTarget.KEY)
                    .withLimit(MAX_LIST + 1)
                    .build()),
            callTimeout,
            "list " + LogText.quote(keyPrefix));
    if (answer.getKvs().size() > MAX_LIST)
      throw new IllegalStateException(
          "more than " + MAX_LIST + " keys under " + LogText.quote(keyPrefix) + " in etcd");
    Map<String, byte[]> values = new LinkedHashMap<>();
    for (KeyValue entry : answer.getKvs())
      values.put(relative(entry.getKey()), entry.getValue().getBytes());
    return values;
  }

  @Override
  public boolean put(String key, byte[] value) {
    Objects.requireNonNull(value, "value");
    return fenced(
        key, Op.put(full(key), ByteSequence.from(value), PutOption.DEFAULT), "write " + quote(key));
  }

  @Override
  public boolean delete(String key) {
    return fenced(key, Op.delete(full(key), DeleteOption.DEFAULT), "delete " + quote(key));
  }

  private boolean fenced(String key, Op write, String what) {
    Optional<Fence> current = fence.get();
    if (current.isEmpty()) {
      fencedWrites.incrementAndGet();
      log.debug("Not leading: {} refused", what);
      return false;
    }
    Fence guard = current.get();
    TxnResponse answer =
        EtcdCalls.await(
            kv.txn()
                .If(
                    new Cmp(
                        guard.leaderKey(), Cmp.Op.EQUAL, CmpTarget.createRevision(guard.epoch())))
                .Then(write)
                .commit(),
            callTimeout,
            what);
    if (answer.isSucceeded()) return true;
    fencedWrites.incrementAndGet();
    log.warn(
        "etcd refused to {} at epoch {}: this replica's leader key is gone; it no longer leads",
        what,
        guard.epoch());
    return false;
  }

  @Override
  public byte[] putIfAbsent(String key, byte[] value) {
    Objects.requireNonNull(value, "value");
    ByteSequence full = full(key);
    TxnResponse answer =
        EtcdCalls.await(
            kv.txn()
                .If(new Cmp(full, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(full, ByteSequence.from(value), PutOption.DEFAULT))
                .Else(Op.get(full, GetOption.DEFAULT))
                .commit(),
            callTimeout,
            "write " + quote(key) + " if absent");
    if (answer.isSucceeded()) return value.clone();
    // The Else branch read the key in the same revision in which it existed.
    return answer.getGetResponses().get(0).getKvs().get(0).getValue().getBytes();
  }

  /**
   * One transaction guarded by this replica's leader key and by the key's absence, the key on a new
   * lease of {@code ttl} (whole seconds, at least 1); the lease of a write that did not happen is
   * revoked in the background.
   */
  @Override
  public boolean putIfAbsentFenced(String key, byte[] value, Duration ttl) {
    Objects.requireNonNull(value, "value");
    if (leases == null) throw new IllegalStateException("this store was made without leases");
    Optional<Fence> current = fence.get();
    if (current.isEmpty()) {
      fencedWrites.incrementAndGet();
      log.debug("Not leading: writing {} if absent refused", quote(key));
      return false;
    }
    Fence guard = current.get();
    String what = "write " + quote(key) + " if absent";
    long leaseId =
        EtcdCalls.await(
                leases.grant(Math.max(1, ttl.toSeconds())),
                callTimeout,
                "grant the lease to " + what)
            .getID();
    ByteSequence full = full(key);
    TxnResponse answer;
    try {
      answer =
          EtcdCalls.await(
              kv.txn()
                  .If(
                      new Cmp(
                          guard.leaderKey(), Cmp.Op.EQUAL, CmpTarget.createRevision(guard.epoch())),
                      new Cmp(full, Cmp.Op.EQUAL, CmpTarget.version(0)))
                  .Then(
                      Op.put(
                          full,
                          ByteSequence.from(value),
                          PutOption.builder().withLeaseId(leaseId).build()))
                  .commit(),
              callTimeout,
              what);
    } catch (ClusterUnavailable e) {
      revokeLater(leaseId);
      throw e;
    }
    if (answer.isSucceeded()) return true;
    revokeLater(leaseId);
    return false;
  }

  /** Revokes an unused lease without waiting; etcd expires it anyway if this fails. */
  private void revokeLater(long leaseId) {
    leases.revoke(leaseId).exceptionally(e -> null);
  }

  @Override
  public AutoCloseable watch(String keyPrefix, BiConsumer<String, Optional<byte[]>> onChange) {
    Objects.requireNonNull(onChange, "onChange");
    StoreWatch handle =
        new StoreWatch(
            watch, full(keyPrefix), prefix.length(), dispatch, timer, REWATCH_DELAY, onChange);
    long now =
        EtcdCalls.await(
                kv.get(
                    full(keyPrefix),
                    GetOption.builder().isPrefix(true).withCountOnly(true).build()),
                callTimeout,
                "start watching " + quote(keyPrefix))
            .getHeader()
            .getRevision();
    handle.start(now);
    return handle;
  }

  /** Ends every watch's dispatch (the client's close ends the watches themselves). */
  void close() {
    dispatch.shutdownNow();
  }

  private ByteSequence full(String key) {
    Objects.requireNonNull(key, "key");
    return EtcdCalls.bytes(prefix + key);
  }

  private String relative(ByteSequence key) {
    return EtcdCalls.text(key).substring(prefix.length());
  }

  private static String quote(String key) {
    return LogText.quote(key);
  }
}
