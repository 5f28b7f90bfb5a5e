package ogp.cli;

import java.util.Objects;
import ogp.cluster.Leadership;
import ogp.reconciler.agents.CommandFence;

/**
 * The fence of one term of a replica's server: it commands at the epoch it was elected with, only
 * while the leadership still allows it at that very epoch, and never again once {@link #stop()} was
 * called (a graceful stop: commands end before the replica resigns). Reads memory only.
 */
final class ReplicaFence implements CommandFence {
  private final Leadership leadership;
  private final long epoch;
  private volatile boolean stopped;

  ReplicaFence(Leadership leadership, long epoch) {
    this.leadership = Objects.requireNonNull(leadership, "leadership");
    if (epoch <= 0) throw new IllegalArgumentException("a leader's epoch is positive: " + epoch);
    this.epoch = epoch;
  }

  @Override
  public long epoch() {
    return epoch;
  }

  @Override
  public boolean mayCommand() {
    return !stopped && leadership.mayCommand() && leadership.epoch() == epoch;
  }

  /** No command from now on, whatever the leadership says. */
  void stop() {
    stopped = true;
  }
}
