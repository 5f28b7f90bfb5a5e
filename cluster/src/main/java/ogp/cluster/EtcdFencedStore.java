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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
  private final Lease lease;
  private final Watch watch;
  private final String prefix;
  private final Duration callTimeout;
  private final Supplier<Optional<Fence>> fence;
  private final ScheduledExecutorService timer;
  private final ThreadPoolExecutor dispatch;
  private final AtomicLong fencedWrites = new AtomicLong();

  /**
   * @param lease for the leases of {@link #putIfAbsentFenced} (never this replica's own lease)
   * @param clusterPrefix the cluster's key prefix ({@code /ogp/})
   * @param fence this replica's leader key and epoch while it leads
   * @param timer for re-watching after a delay
   */
  EtcdFencedStore(
      KV kv,
      Lease lease,
      Watch watch,
      String clusterPrefix,
      Duration callTimeout,
      Supplier<Optional<Fence>> fence,
      ScheduledExecutorService timer) {
    this.kv = kv;
    this.lease = lease;
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
   * {@inheritDoc}
   *
   * <p>{@code If(version == 0 for every key) Then(put every value) Else(get every key)}.
   */
  @Override
  public Map<String, byte[]> putAllIfAbsent(Map<String, byte[]> values) {
    if (values.isEmpty()) return Map.of();
    List<Cmp> absent = new ArrayList<>();
    List<Op> puts = new ArrayList<>();
    List<Op> gets = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : values.entrySet()) {
      ByteSequence full = full(e.getKey());
      absent.add(new Cmp(full, Cmp.Op.EQUAL, CmpTarget.version(0)));
      puts.add(Op.put(full, ByteSequence.from(e.getValue()), PutOption.DEFAULT));
      gets.add(Op.get(full, GetOption.DEFAULT));
    }
    TxnResponse answer =
        EtcdCalls.await(
            kv.txn()
                .If(absent.toArray(Cmp[]::new))
                .Then(puts.toArray(Op[]::new))
                .Else(gets.toArray(Op[]::new))
                .commit(),
            callTimeout,
            "write " + quote(String.join(", ", values.keySet())) + " if all absent");
    Map<String, byte[]> stored = new LinkedHashMap<>();
    if (answer.isSucceeded()) {
      values.forEach((key, value) -> stored.put(key, value.clone()));
      return stored;
    }
    // The Else branch read every key in the revision in which one of them existed.
    for (GetResponse got : answer.getGetResponses())
      for (KeyValue entry : got.getKvs())
        stored.put(relative(entry.getKey()), entry.getValue().getBytes());
    return stored;
  }

  /**
   * {@inheritDoc}
   *
   * <p>A lease of its own for the key, granted first: the key must outlive this replica's
   * leadership and lease. Then one transaction {@code If(create revision of the leader key ==
   * epoch, version of the key == 0) Then(put on the new lease) Else(get the leader key)}; the Else
   * tells a fenced write (counted in {@link #fencedWrites()}) from a key that exists. When nothing
   * was written — or etcd did not answer, and may have written it — the new lease is revoked, so
   * the key is gone again (a claim that was never confirmed is one nobody acted on).
   */
  @Override
  public boolean putIfAbsentFenced(String key, byte[] value, Duration ttl) {
    Objects.requireNonNull(value, "value");
    if (ttl.toSeconds() < 1)
      throw new IllegalArgumentException("a key's lease lasts at least 1 s: " + ttl);
    String what = "write " + quote(key) + " if absent";
    Optional<Fence> current = fence.get();
    if (current.isEmpty()) {
      fencedWrites.incrementAndGet();
      log.debug("Not leading: {} refused", what);
      return false;
    }
    Fence guard = current.get();
    ByteSequence full = full(key);
    long leaseId =
        EtcdCalls.await(lease.grant(ttl.toSeconds()), callTimeout, "grant a lease to " + what)
            .getID();
    boolean written = false;
    try {
      TxnResponse answer =
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
                  .Else(Op.get(guard.leaderKey(), GetOption.DEFAULT))
                  .commit(),
              callTimeout,
              what);
      written = answer.isSucceeded();
      if (!written && !stillLeads(answer, guard)) {
        fencedWrites.incrementAndGet();
        log.warn(
            "etcd refused to {} at epoch {}: this replica's leader key is gone; it no longer leads",
            what,
            guard.epoch());
      }
      return written;
    } finally {
      if (!written) revoke(leaseId, what);
    }
  }

  /** Whether the Else branch found this replica's leader key at its epoch. */
  private static boolean stillLeads(TxnResponse answer, Fence guard) {
    return answer.getGetResponses().stream()
        .flatMap(r -> r.getKvs().stream())
        .anyMatch(kv -> kv.getCreateRevision() == guard.epoch());
  }

  /** Revokes a lease no key is meant to hold; a failure leaves it to expire with its TTL. */
  private void revoke(long leaseId, String what) {
    try {
      EtcdCalls.await(lease.revoke(leaseId), callTimeout, "revoke the lease of " + what);
    } catch (ClusterUnavailable e) {
      log.warn("{}; the lease {} ends with its TTL", e.getMessage(), Long.toHexString(leaseId));
    }
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
