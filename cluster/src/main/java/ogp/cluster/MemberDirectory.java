package ogp.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import ogp.protocol.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live replicas: each keeps {@code <prefix>members/<id>} (its {@link Member} as JSON) on its
 * own lease, so a replica that stops or loses its lease leaves the list by itself. The list is read
 * by a poll every second and cached; at most {@value #MAX_MEMBERS} members are kept, a value that
 * is not a member is skipped (and logged, escaped).
 */
final class MemberDirectory {
  private static final Logger log = LoggerFactory.getLogger(MemberDirectory.class);
  static final int MAX_MEMBERS = 1000;

  private final KV kv;
  private final Executor executor;
  private final String prefix;
  private final Duration callTimeout;
  private volatile List<Member> members = List.of();

  /**
   * @param executor where answers are read (never a gRPC thread)
   */
  MemberDirectory(KV kv, Executor executor, String clusterPrefix, Duration callTimeout) {
    this.kv = kv;
    this.executor = executor;
    this.prefix = clusterPrefix + "members/";
    this.callTimeout = callTimeout;
  }

  /** Puts this replica's member key on its lease (blocking, with the call timeout). */
  void register(Member self, long leaseId) {
    EtcdCalls.await(
        kv.put(
            EtcdCalls.bytes(prefix + self.id()),
            ByteSequence.from(MemberJson.write(self)),
            PutOption.builder().withLeaseId(leaseId).build()),
        callTimeout,
        "register this replica's member key");
  }

  /** Reads the member keys again in the background; the cached list changes when it answers. */
  void refresh() {
    kv.get(
            EtcdCalls.bytes(prefix),
            GetOption.builder()
                .isPrefix(true)
                .withSortField(GetOption.SortTarget.KEY)
                .withLimit(MAX_MEMBERS)
                .build())
        .orTimeout(callTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (answer, error) -> {
              if (error != null) log.debug("Listing the etcd member keys failed", error);
              else Timers.submit(executor, "etcd member list", () -> read(answer));
            });
  }

  private void read(GetResponse answer) {
    List<Member> read = new ArrayList<>();
    for (KeyValue key : answer.getKvs()) {
      Optional<Member> member = MemberJson.read(key.getValue().getBytes());
      if (member.isPresent()) read.add(member.get());
      else
        log.debug(
            "etcd member key {} holds no member: {}",
            LogText.quote(EtcdCalls.text(key.getKey())),
            LogText.quote(key.getValue().toString(StandardCharsets.UTF_8)));
    }
    members = List.copyOf(read);
  }

  /** The members as last read, sorted by id. */
  List<Member> members() {
    return members;
  }
}
