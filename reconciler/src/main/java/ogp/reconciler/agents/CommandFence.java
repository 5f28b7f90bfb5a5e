package ogp.reconciler.agents;

/**
 * Whether this server may command agents now, and the epoch it stamps on every command frame
 * (Welcome, Assignment). A single server ({@link #SINGLE_NODE}) always may, at epoch 0. A replica
 * on etcd (module {@code cluster}) may only while it leads and its lease's last keep-alive is
 * fresh; the agents' epoch check is the fence for what is already on the wire.
 *
 * <p>Both methods are called on Netty event loops and the reconcile worker, right before a frame is
 * written: they read memory only, never etcd.
 */
public interface CommandFence {
  /** A server without replicas: always commands, at epoch 0. */
  CommandFence SINGLE_NODE =
      new CommandFence() {
        @Override
        public long epoch() {
          return 0;
        }

        @Override
        public boolean mayCommand() {
          return true;
        }
      };

  /** The epoch stamped on command frames: the leader key's creation revision, 0 without etcd. */
  long epoch();

  /** Whether a command frame may be written now; false drops it (counted as fenced). */
  boolean mayCommand();
}
