package ogp.reconciler.agents;

import ogp.protocol.v1.StatusReport;

/**
 * What the reconciler learns from the agent link. Calls never happen on a Netty event loop: they
 * run one at a time on the listener executor given to {@link AgentServer}, in the order the events
 * happened, so the callbacks for one host are always in order. Events are hints (level-triggered):
 * read {@link AgentServer#host(String)} for the current state. A listener that throws is logged and
 * the next event is still delivered.
 */
public interface AgentListener {
  /** An agent completed the handshake, or a lost host spoke again. */
  void hostConnected(HostRecord host);

  /**
   * The latest full status of a host. Reports queued behind a slow listener are coalesced: only the
   * newest one of the current session is delivered.
   */
  void reportReceived(String hostId, StatusReport report);

  /** The live connection of a host closed. Not called when a newer connection superseded it. */
  void hostDisconnected(String hostId);

  /** Nothing was heard from the host for the lost grace. Called once until it connects again. */
  void hostLost(String hostId);

  /** An operator changed the labels bound to a host; placement must be computed again. */
  default void labelsChanged(HostRecord host) {}
}
