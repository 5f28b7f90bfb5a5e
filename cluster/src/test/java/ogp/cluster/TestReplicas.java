package ogp.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Replicas of a test on a real etcd, each test under its own key prefix so tests can share one
 * cluster, and a raw jetcd client to act on etcd from outside (revoke a lease, forge a key).
 */
final class TestReplicas implements AutoCloseable {
  static final Duration TTL = Duration.ofSeconds(3);

  private final EtcdTestCluster etcd;
  private final Duration ttl;
  private final String prefix = "/ogp-test-" + UUID.randomUUID() + "/";
  private final List<EtcdLeadership> started = new ArrayList<>();
  private Client raw;

  TestReplicas(EtcdTestCluster etcd) {
    this(etcd, TTL);
  }

  TestReplicas(EtcdTestCluster etcd, Duration ttl) {
    this.etcd = etcd;
    this.ttl = ttl;
  }

  Duration ttl() {
    return ttl;
  }

  EtcdSettings settings() {
    return new EtcdSettings(
        etcd.endpoints(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        prefix,
        ttl,
        EtcdSettings.DEFAULT_CALL_TIMEOUT);
  }

  String prefix() {
    return prefix;
  }

  static Member member(String id) {
    return new Member(id, id + ":7070", URI.create("http://" + id + ":8080"));
  }

  EtcdLeadership start(String id) {
    EtcdLeadership replica = EtcdLeadership.start(settings(), member(id), Clock.systemUTC());
    started.add(replica);
    return replica;
  }

  /** A jetcd client of the test's own, beside the replicas'. */
  Client raw() {
    if (raw == null)
      raw =
          Client.builder()
              .endpoints(etcd.endpoints().toArray(URI[]::new))
              .connectTimeout(Duration.ofSeconds(2))
              .build();
    return raw;
  }

  /** The election's first-created key, read from outside. */
  Optional<KeyValue> leaderKey() throws Exception {
    return raw()
        .getKVClient()
        .get(
            bytes(prefix + "leader/"),
            GetOption.builder()
                .isPrefix(true)
                .withSortField(GetOption.SortTarget.CREATE)
                .withSortOrder(GetOption.SortOrder.ASCEND)
                .build())
        .get(5, TimeUnit.SECONDS)
        .getKvs()
        .stream()
        .findFirst();
  }

  /** All keys of the election, read from outside. */
  List<KeyValue> electionKeys() throws Exception {
    return raw()
        .getKVClient()
        .get(bytes(prefix + "leader/"), GetOption.builder().isPrefix(true).build())
        .get(5, TimeUnit.SECONDS)
        .getKvs();
  }

  static ByteSequence bytes(String text) {
    return EtcdCalls.bytes(text);
  }

  @Override
  public void close() {
    for (EtcdLeadership replica : started) replica.close();
    if (raw != null) raw.close();
  }
}
