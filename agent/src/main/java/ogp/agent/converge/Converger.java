package ogp.agent.converge;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ogp.agent.converge.Action.CreateContainer;
import ogp.agent.converge.Action.PullImage;
import ogp.agent.converge.Action.RemoveContainer;
import ogp.agent.converge.Action.StartContainer;
import ogp.agent.converge.Action.StopContainer;
import ogp.agent.probe.HealthMonitor;
import ogp.agent.runtime.ContainerKey;
import ogp.agent.runtime.ContainerRuntime;
import ogp.agent.runtime.ImageReference;
import ogp.agent.runtime.ManagedContainer;
import ogp.agent.runtime.RuntimeFailure;
import ogp.protocol.SpecHash;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.HealthCheck;
import ogp.protocol.v1.StatusReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives this host's managed containers to an {@link Assignment}: observe, plan with {@link
 * LocalPlanner}, apply action by action, observe again and report.
 *
 * <p>Policy:
 *
 * <ul>
 *   <li><b>Idempotent and level-triggered.</b> Converging the same assignment again does nothing
 *       when nothing drifted; a container stopped or removed by hand is started or recreated.
 *   <li><b>Failures are per container.</b> A failing action records its message as that container's
 *       last error and skips that container's later actions (a failed pull leaves the old version
 *       running); the other containers go on. The errors of the latest converge are reported until
 *       the next one.
 *   <li><b>Adoption.</b> A container with the desired spec hash is kept as it is, also one a
 *       previous agent process created: a restarted agent restarts nothing.
 *   <li><b>Static stability.</b> Only {@link #converge} acts, and only with an assignment the
 *       caller got from the server. {@link #report()} never changes anything. A restarted agent
 *       that has no assignment yet must only report: the caller (the link layer) re-converges with
 *       the last assignment it received, never with an empty one of its own making, so a server
 *       outage never removes a container.
 * </ul>
 *
 * Calls are serialized: one converge or report at a time. Blocking (Docker I/O): call it from a
 * worker thread, never from a network event loop.
 */
public final class Converger {
  private static final Logger log = LoggerFactory.getLogger(Converger.class);

  private final ContainerRuntime runtime;
  private final HealthMonitor health;
  private final Duration stopGrace;
  private final StatusReportAssembler assembler;

  private Assignment converged = Assignment.getDefaultInstance();
  private List<ContainerSpec> desired = List.of();
  private Map<ContainerKey, String> errors = Map.of();

  /**
   * @param stopGrace how long a stopped container gets between SIGTERM and SIGKILL
   */
  public Converger(ContainerRuntime runtime, HealthMonitor health, Duration stopGrace) {
    this.runtime = runtime;
    this.health = health;
    this.stopGrace = stopGrace;
    this.assembler = new StatusReportAssembler(health);
  }

  public Converger(ContainerRuntime runtime, HealthMonitor health) {
    this(runtime, health, Duration.ofSeconds(10));
  }

  /**
   * Applies {@code assignment} and reports what is there afterwards. Never throws for Docker
   * problems.
   *
   * @throws IllegalArgumentException for an assignment without a revision: the server always sets
   *     one, so such an assignment was made up locally, and acting on it could remove everything
   */
  public synchronized StatusReport converge(Assignment assignment) {
    if (assignment.getRevision().isEmpty()) {
      throw new IllegalArgumentException(
          "refusing to converge to an assignment without a revision (generation "
              + assignment.getGeneration()
              + ", "
              + assignment.getContainersCount()
              + " containers)");
    }
    converged = assignment;
    desired = assignment.getContainersList().stream().map(Converger::withHash).toList();
    Map<ContainerKey, String> failed = new HashMap<>();
    try {
      List<Action> plan = LocalPlanner.plan(desired, runtime.listManaged(), presentImages(desired));
      apply(plan, failed);
    } catch (IllegalArgumentException | RuntimeFailure e) {
      // Nothing could be planned (engine unreachable, malformed assignment): a host-level error.
      errors = Map.copyOf(failed);
      return report(e.getMessage());
    }
    errors = Map.copyOf(failed);
    return report();
  }

  /** What is there now, against the last assignment; changes nothing. */
  public synchronized StatusReport report() {
    return report("");
  }

  private StatusReport report(String hostError) {
    List<ManagedContainer> observed;
    try {
      observed = runtime.listManaged();
    } catch (RuntimeFailure e) {
      return assembler.unreachable(converged, desired, errors, runtime.engine(), e.getMessage());
    }
    health.watch(healthChecks(observed));
    return assembler.assemble(converged, desired, observed, errors, runtime.engine(), hostError);
  }

  private Set<String> presentImages(List<ContainerSpec> specs) {
    Set<String> present = new HashSet<>();
    for (ContainerSpec spec : specs) {
      String image = ImageReference.of(spec).toString();
      if (!present.contains(image) && runtime.imagePresent(image)) {
        present.add(image);
      }
    }
    return present;
  }

  private void apply(List<Action> plan, Map<ContainerKey, String> failed) {
    Map<String, String> pullFailures = new HashMap<>();
    Set<String> pulled = new LinkedHashSet<>();
    for (Action action : plan) {
      if (failed.containsKey(action.key())) {
        continue; // an earlier step of this container failed: keep what runs
      }
      try {
        log.info("{}", action);
        // Java 17: no pattern matching for switch yet, hence the instanceof chain.
        if (action instanceof PullImage pull) {
          pullOnce(pull.image(), pulled, pullFailures);
        } else if (action instanceof CreateContainer create) {
          String id = runtime.create(create.spec());
          if (create.spec().getState() != ContainerSpec.RunState.STOPPED) {
            runtime.start(id);
          }
        } else if (action instanceof StartContainer start) {
          runtime.start(start.containerId());
        } else if (action instanceof StopContainer stop) {
          runtime.stop(stop.containerId(), stopGrace);
        } else if (action instanceof RemoveContainer remove) {
          runtime.remove(remove.containerId());
        }
      } catch (RuntimeFailure e) {
        log.warn("{} failed: {}", action, e.getMessage());
        failed.put(action.key(), e.getMessage());
      } catch (RuntimeException e) {
        // A bug or an unexpected client error: still only this container's failure.
        log.error("{} failed", action, e);
        failed.put(action.key(), action.getClass().getSimpleName() + " failed: " + e);
      }
    }
  }

  /** Several instances may need one image: pull it once per converge, and fail them all alike. */
  private void pullOnce(String image, Set<String> pulled, Map<String, String> pullFailures) {
    if (pullFailures.containsKey(image)) {
      throw new RuntimeFailure(pullFailures.get(image));
    }
    if (pulled.add(image)) {
      try {
        runtime.pull(image);
      } catch (RuntimeFailure e) {
        pullFailures.put(image, e.getMessage());
        throw e;
      }
    }
  }

  /** Probe only containers that are the desired ones and should run, with their spec's check. */
  private Map<String, HealthCheck> healthChecks(List<ManagedContainer> observed) {
    Map<ContainerKey, ContainerSpec> byKey = new HashMap<>();
    desired.forEach(spec -> byKey.put(ContainerKey.of(spec), spec));
    Map<String, HealthCheck> checks = new HashMap<>();
    for (ManagedContainer container : observed) {
      ContainerSpec spec = byKey.get(container.key());
      if (spec != null
          && spec.hasHealth()
          && spec.getHealth().getProbeCase() != HealthCheck.ProbeCase.PROBE_NOT_SET
          && spec.getState() != ContainerSpec.RunState.STOPPED
          && spec.getSpecHash().equals(container.specHash())) {
        checks.put(container.id(), spec.getHealth());
      }
    }
    return checks;
  }

  private static ContainerSpec withHash(ContainerSpec spec) {
    return spec.getSpecHash().isEmpty() ? SpecHash.withHash(spec) : spec;
  }
}
