package ogp.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * A {@link FencedStore} in memory, for unit tests of pure logic only (the real store is proven
 * against a real etcd): {@link #depose()} makes every fenced write fail as a deposed leader's
 * would, {@link #goDown()} makes every call throw {@link ClusterUnavailable}, and {@link
 * #failNext(RuntimeException)} throws once. Watchers are told on the store's own thread, in order.
 */
final class InMemoryFencedStore implements FencedStore {
  private final ConcurrentSkipListMap<String, byte[]> values = new ConcurrentSkipListMap<>();
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private final ExecutorService notifier =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "in-memory-store-watch");
            t.setDaemon(true);
            return t;
          });
  private final AtomicReference<RuntimeException> failNext = new AtomicReference<>();
  private volatile String tooLarge = "";
  final AtomicInteger refusedPuts = new AtomicInteger();
  private volatile boolean leading = true;
  private volatile boolean down;
  final AtomicInteger puts = new AtomicInteger();
  final AtomicInteger fencedPuts = new AtomicInteger();
  final AtomicInteger deletes = new AtomicInteger();
  final AtomicInteger lists = new AtomicInteger();

  private record Watcher(String prefix, BiConsumer<String, Optional<byte[]>> onChange) {}

  /** This replica no longer leads: fenced writes change nothing and answer false. */
  void depose() {
    leading = false;
  }

  /** This replica leads again (a new epoch). */
  void elect() {
    leading = true;
  }

  void goDown() {
    down = true;
  }

  void comeBack() {
    down = false;
  }

  /** Puts of this key fail as etcd fails a request over its --max-request-bytes. */
  void refuseAsTooLarge(String key) {
    tooLarge = key;
  }

  void failNext(RuntimeException e) {
    failNext.set(e);
  }

  /** Another leader's write: stored and told to watchers, whoever leads here. */
  void putAsAnotherLeader(String key, byte[] value) {
    values.put(key, value.clone());
    tell(key, Optional.of(value.clone()));
  }

  /** Another leader's deletion. */
  void deleteAsAnotherLeader(String key) {
    values.remove(key);
    tell(key, Optional.empty());
  }

  Optional<byte[]> peek(String key) {
    return Optional.ofNullable(values.get(key)).map(byte[]::clone);
  }

  int watchers() {
    return watchers.size();
  }

  @Override
  public Optional<byte[]> get(String key) {
    check();
    return peek(key);
  }

  @Override
  public Map<String, byte[]> list(String keyPrefix) {
    check();
    lists.incrementAndGet();
    Map<String, byte[]> found = new TreeMap<>();
    values
        .tailMap(keyPrefix)
        .forEach(
            (k, v) -> {
              if (k.startsWith(keyPrefix)) found.put(k, v.clone());
            });
    return found;
  }

  @Override
  public boolean put(String key, byte[] value) {
    check();
    if (key.equals(tooLarge)) {
      refusedPuts.incrementAndGet();
      throw new ClusterUnavailable("etcdserver: request is too large", null);
    }
    if (!leading) {
      fencedPuts.incrementAndGet();
      return false;
    }
    puts.incrementAndGet();
    values.put(key, value.clone());
    tell(key, Optional.of(value.clone()));
    return true;
  }

  @Override
  public boolean delete(String key) {
    check();
    if (!leading) return false;
    deletes.incrementAndGet();
    values.remove(key);
    tell(key, Optional.empty());
    return true;
  }

  @Override
  public synchronized byte[] putIfAbsent(String key, byte[] value) {
    check();
    byte[] before = values.putIfAbsent(key, value.clone());
    if (before != null) return before.clone();
    tell(key, Optional.of(value.clone()));
    return value.clone();
  }

  @Override
  public synchronized Map<String, byte[]> putAllIfAbsent(Map<String, byte[]> given) {
    check();
    Map<String, byte[]> stored = new TreeMap<>();
    given.keySet().forEach(k -> peek(k).ifPresent(v -> stored.put(k, v)));
    if (!stored.isEmpty()) return stored;
    given.forEach(
        (k, v) -> {
          values.put(k, v.clone());
          tell(k, Optional.of(v.clone()));
          stored.put(k, v.clone());
        });
    return stored;
  }

  @Override
  public synchronized boolean putIfAbsentFenced(String key, byte[] value, Duration ttl) {
    check();
    if (!leading || values.containsKey(key)) return false;
    values.put(key, value.clone());
    tell(key, Optional.of(value.clone()));
    return true;
  }

  @Override
  public AutoCloseable watch(String keyPrefix, BiConsumer<String, Optional<byte[]>> onChange) {
    check();
    Watcher w = new Watcher(keyPrefix, onChange);
    watchers.add(w);
    return () -> watchers.remove(w);
  }

  void close() {
    notifier.shutdownNow();
  }

  private void tell(String key, Optional<byte[]> value) {
    for (Watcher w : watchers) {
      if (key.startsWith(w.prefix())) notifier.execute(() -> w.onChange().accept(key, value));
    }
  }

  private void check() {
    RuntimeException once = failNext.getAndSet(null);
    if (once != null) throw once;
    if (down) throw new ClusterUnavailable("etcd did not answer (test)", null);
  }
}
