package ogp.reconciler.control;

import java.time.Clock;
import java.time.Duration;
import ogp.reconciler.agents.AgentListener;
import ogp.reconciler.agents.AgentServer;
import ogp.reconciler.rollout.Rollouts;

/**
 * The control loop wired: the agent server, the {@link Reconciler} that drives it and the {@link
 * FleetReadModel} that reads it. {@link #create} builds the parts in one direction — work queue and
 * observers, then the agent server with {@link AgentEvents} as its listener, then the desired-state
 * source, then the loop — so no part is handed a half-built other. Nothing is sent before {@link
 * Reconciler#start()}; events that arrive earlier wait in the queue.
 */
public record ControlLoop(Reconciler reconciler, AgentServer agents, FleetReadModel fleet)
    implements AutoCloseable {

  /** Starts the agent server with the given listener (the loop's agent events). */
  @FunctionalInterface
  public interface AgentServerFactory {
    AgentServer start(AgentListener listener) throws InterruptedException;
  }

  /**
   * @param clock the one clock of the process
   * @param pollInterval how often Git is asked for a new head
   * @param resyncInterval how often every host is looked at again without any event
   */
  public static ControlLoop create(
      Clock clock,
      DesiredStateSource.Factory sourceFactory,
      AgentServerFactory agentServerFactory,
      Duration pollInterval,
      Duration resyncInterval)
      throws InterruptedException {
    ReconcilerObservers observers = new ReconcilerObservers();
    HostQueue queue = new HostQueue(clock);
    SentAssignments sent = new SentAssignments(clock);
    AgentServer agents = agentServerFactory.start(new AgentEvents(queue, sent, observers));
    try {
      DesiredStateSource source =
          sourceFactory.create(
              applied -> {
                queue.addAll(Reconciler.connectedHostIds(agents));
                observers.tell(o -> o.revisionApplied(applied));
              });
      source.countSelectorsOn(() -> hostLabels(agents));
      Rollouts rollouts =
          new Rollouts(
              source.mirror().repository(),
              source.mirror().remote().path(),
              clock,
              agents.lostGrace(),
              failure -> observers.tell(o -> o.rolloutFailed(failure)));
      PlanCache plans = new PlanCache();
      Reconciler reconciler =
          new Reconciler(
              source,
              agents,
              queue,
              sent,
              plans,
              rollouts,
              observers,
              clock,
              pollInterval,
              resyncInterval);
      return new ControlLoop(
          reconciler, agents, new FleetReadModel(source, agents, plans, sent, rollouts));
    } catch (RuntimeException | Error e) {
      agents.close();
      throw e;
    }
  }

  /** Every known host, connected or lost (its containers still run), with its labels. */
  /**
   * Every host a selector may place on: the bound ones (which survive a restart, so a revision
   * checked before the agents are back still counts their containers) and the connected ones.
   */
  private static java.util.Map<String, java.util.Map<String, String>> hostLabels(
      AgentServer agents) {
    java.util.Map<String, java.util.Map<String, String>> labels =
        new java.util.HashMap<>(agents.boundLabels());
    agents.hosts().forEach(h -> labels.put(h.hostId(), h.labels()));
    return labels;
  }

  /** Stops the loop's workers, then the agent server. */
  @Override
  public void close() {
    reconciler.close();
    agents.close();
  }
}
