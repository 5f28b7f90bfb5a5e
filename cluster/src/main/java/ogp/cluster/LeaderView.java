package ogp.cluster;

import io.etcd.jetcd.KeyValue;
import java.util.Optional;
import ogp.protocol.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader as this replica last saw it, from {@link LeaderObserver.Sighting}s taken in the order
 * of their etcd revision: a sighting older than one already taken is dropped (a poll's answer
 * overtaken by observe's news, or the other way round). A leader key whose value is no {@link
 * Member} makes the leader unknown; it is logged, escaped, once per key. Written by one thread (the
 * leadership's timer), read by any.
 */
final class LeaderView {
  private static final Logger log = LoggerFactory.getLogger(LeaderView.class);

  /** What a sighting showed: the leader (empty: none or unknown), and whether that is news. */
  record Taken(Optional<Leader> leader, boolean changed) {}

  private volatile long revision;
  private volatile Optional<Leader> leader = Optional.empty();
  private volatile long changes;
  private long lastEpoch;
  private KeyValue lastMalformed;

  /** Takes the sighting in; empty when it is older than what was seen already. */
  Optional<Taken> take(LeaderObserver.Sighting sighting) {
    if (sighting.revision() < revision) return Optional.empty();
    revision = sighting.revision();
    Optional<Leader> now = sighting.leaderKey().flatMap(this::leaderOf);
    boolean changed = !now.equals(leader);
    leader = now;
    if (now.isPresent() && now.get().epoch() != lastEpoch) {
      lastEpoch = now.get().epoch();
      changes++;
    }
    return Optional.of(new Taken(now, changed));
  }

  /** The leader as last seen; empty while none is known. */
  Optional<Leader> leader() {
    return leader;
  }

  /** The etcd revision of the newest sighting taken in. */
  long revision() {
    return revision;
  }

  /** Leader terms seen: each leader at a new epoch counts once. */
  long changes() {
    return changes;
  }

  private Optional<Leader> leaderOf(KeyValue key) {
    Optional<Member> member = MemberJson.read(key.getValue().getBytes());
    if (member.isPresent()) return Optional.of(new Leader(member.get(), key.getCreateRevision()));
    if (lastMalformed == null
        || !lastMalformed.getKey().equals(key.getKey())
        || lastMalformed.getModRevision() != key.getModRevision()) {
      lastMalformed = key;
      log.warn(
          "The etcd leader key {} holds no valid member ({}); the leader is unknown",
          LogText.quote(EtcdCalls.text(key.getKey())),
          LogText.quote(EtcdCalls.text(key.getValue())));
    }
    return Optional.empty();
  }
}
