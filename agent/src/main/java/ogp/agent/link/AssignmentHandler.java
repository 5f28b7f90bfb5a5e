package ogp.agent.link;

import ogp.protocol.v1.Assignment;

/**
 * Receives the complete assignments of this host. Called on the link's own assignment thread, never
 * on a Netty event loop, one call at a time; it may block (pull images, talk to Docker). While it
 * runs, newer assignments replace one another: the next call gets only the latest. The link never
 * invents an assignment: a disconnect produces no call at all.
 */
@FunctionalInterface
public interface AssignmentHandler {
  void onAssignment(Assignment assignment);
}
