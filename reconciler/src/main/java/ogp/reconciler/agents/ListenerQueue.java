package ogp.reconciler.agents;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import ogp.protocol.LoopGuard;

/**
 * Runs listener events one at a time, in the order they were enqueued, on any executor (a pool
 * works too: at most one drain task runs at a time). Enqueueing is cheap and never blocks, so it
 * may happen under the registry lock, which is what fixes the order of events. The queue holds
 * lifecycle events (a few per connection) and at most one report per host and session (the registry
 * coalesces reports), so it is bounded by the fleet, not by the agents' send rate.
 */
final class ListenerQueue {

  private final AgentListener listener;
  private final Executor executor;
  private final ArrayDeque<Consumer<AgentListener>> queue = new ArrayDeque<>(); // guarded by queue
  private boolean draining; // guarded by queue

  ListenerQueue(AgentListener listener, Executor executor) {
    this.listener = listener;
    this.executor = executor;
  }

  void enqueue(Consumer<AgentListener> event) {
    synchronized (queue) {
      queue.add(event);
      if (draining) {
        return;
      }
      draining = true;
    }
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException shutDown) {
      synchronized (queue) {
        draining = false;
        queue.clear();
      }
    }
  }

  private void drain() {
    while (true) {
      Consumer<AgentListener> next;
      synchronized (queue) {
        next = queue.poll();
        if (next == null) {
          draining = false;
          return;
        }
      }
      try {
        next.accept(listener);
      } catch (Throwable t) {
        // One faulty callback must not stop the events of every other host. An Error too: it
        // would leave `draining` set, and no agent event would ever be delivered again.
        LoopGuard.survived("the agent listener", t);
      }
    }
  }
}
