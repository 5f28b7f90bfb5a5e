package ogp.agent;

import java.util.ArrayList;
import java.util.List;
import ogp.agent.link.AssignmentHandler;
import ogp.agent.link.ServerLink;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.StatusReport;

/**
 * A link to no server: keeps every report the agent sends, and lets the test play the server by
 * handing assignments to the agent's handler on the test's thread.
 */
final class FakeLink implements ServerLink {
  private final AssignmentHandler handler;
  private final List<StatusReport> reports = new ArrayList<>();
  private boolean closed;

  FakeLink(AssignmentHandler handler) {
    this.handler = handler;
  }

  /** The server sends {@code assignment}. */
  void assign(Assignment assignment) {
    handler.onAssignment(assignment);
  }

  /** Every report sent so far, oldest first. */
  List<StatusReport> reports() {
    return List.copyOf(reports);
  }

  StatusReport lastReport() {
    return reports.get(reports.size() - 1);
  }

  boolean closed() {
    return closed;
  }

  @Override
  public void report(StatusReport report) {
    reports.add(report);
  }

  @Override
  public boolean isConnected() {
    return !closed;
  }

  @Override
  public void close() {
    closed = true;
  }
}
