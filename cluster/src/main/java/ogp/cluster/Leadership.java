package ogp.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import ogp.reconciler.agents.CommandFence;

/**
 * This replica's part in the election of one leader among {@code ogp server} replicas on etcd.
 *
 * <p>Policy: the replica campaigns with a lease (TTL about 10 s) kept alive in the background. It
 * may command ({@link #mayCommand}) only while it holds the leader key and the lease's last
 * successful keep-alive is younger than the TTL minus a margin; a keep-alive answer that the lease
 * is gone deposes it at once. A network error alone (one etcd member lost) deposes nobody: calls in
 * flight on that member (campaign, observe) are made again, campaign with the same lease. The
 * leader is learnt from {@code observe} and from polling {@code leader()} (observe never reports
 * the key's deletion). Listeners are called on the leadership's own thread, never on a gRPC one.
 * {@link #close()} resigns (a standby leads at once) and revokes the lease.
 */
public interface Leadership extends CommandFence, AutoCloseable {
  /** This replica. */
  Member self();

  /** The leader as last seen; empty while none is known. */
  Optional<Leader> leader();

  /** Whether this replica holds the leader key (it may still be fenced: see mayCommand). */
  boolean leading();

  /** The epoch of this replica's own leadership; 0 while it does not lead. */
  @Override
  long epoch();

  /** Since the last successful keep-alive of this replica's lease. */
  Duration leaseAge();

  /** The live replicas (each keeps a member key on its own lease), this one included. */
  List<Member> members();

  /** The shared state, fenced by this replica's leadership. */
  FencedStore store();

  /** Adds a listener; it is told the current state at once. */
  void addListener(Listener listener);

  /** Gives up leadership now (graceful stop); the replica campaigns no more. */
  void resign();

  @Override
  void close();

  /** What a replica's server does when leadership changes. */
  interface Listener {
    /** This replica leads from now, at {@code epoch}. */
    void elected(long epoch);

    /** This replica no longer leads (lease lost, fenced, resigned); why, for the log and events. */
    void deposed(String reason);

    /** The leader other replicas should send agents and writes to changed (or is unknown). */
    void leaderSeen(Optional<Leader> leader);
  }
}
