package ogp.agent.probe;

import java.time.Duration;
import java.util.List;
import ogp.agent.runtime.ContainerRuntime;
import ogp.agent.runtime.ExecResult;
import ogp.agent.runtime.RuntimeFailure;

/** Runs the argv inside the container (like {@code docker exec}); exit code 0 is healthy. */
final class ExecCommandProbe implements Probe {
  private final ContainerRuntime runtime;
  private final List<String> argv;

  ExecCommandProbe(ContainerRuntime runtime, List<String> argv) {
    this.runtime = runtime;
    this.argv = List.copyOf(argv);
  }

  @Override
  public ProbeResult check(ProbeTarget target, Duration timeout) {
    try {
      ExecResult result = runtime.exec(target.containerId(), argv, timeout);
      String detail =
          "exit "
              + result.exitCode()
              + (result.output().isBlank() ? "" : ": " + result.output().strip());
      return result.exitCode() == 0 ? ProbeResult.healthy(detail) : ProbeResult.unhealthy(detail);
    } catch (RuntimeFailure e) {
      return ProbeResult.unhealthy(e.getMessage());
    }
  }
}
