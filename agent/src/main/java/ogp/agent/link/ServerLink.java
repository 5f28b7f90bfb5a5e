package ogp.agent.link;

import ogp.protocol.v1.StatusReport;

/**
 * What the host agent needs of its link to the server: send the observed state, tell whether the
 * server is reachable, and stop. Assignments come the other way, to the {@link AssignmentHandler}
 * the link was made with.
 *
 * <p>Policy: {@link #report} never blocks and is latest-wins (an unsent report is replaced by a
 * newer one, which is also sent again after a reconnect); a lost connection is never an assignment.
 * All methods may be called from any thread.
 */
public interface ServerLink extends AutoCloseable {

  /** Sends a full status report now if connected, and keeps it to send after every reconnect. */
  void report(StatusReport report);

  /** True while the server has welcomed the current connection. */
  boolean isConnected();

  /** Stops reconnecting and closes the connection. */
  @Override
  void close();
}
