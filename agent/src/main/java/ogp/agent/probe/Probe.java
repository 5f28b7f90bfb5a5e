package ogp.agent.probe;

import java.net.http.HttpClient;
import java.time.Duration;
import ogp.agent.runtime.ContainerRuntime;
import ogp.protocol.v1.HealthCheck;

/**
 * One kind of health check (SPEC §2 {@code health}). A probe never throws: every problem, including
 * a timeout, is an unhealthy {@link ProbeResult} whose detail says what happened.
 */
public interface Probe {
  ProbeResult check(ProbeTarget target, Duration timeout);

  /**
   * The probe a {@link HealthCheck} asks for.
   *
   * @param http shared by every http probe of one monitor, so connections are pooled
   * @param runtime runs exec probes inside the container
   * @throws IllegalArgumentException when the check names no probe
   */
  static Probe of(HealthCheck check, HttpClient http, ContainerRuntime runtime) {
    return switch (check.getProbeCase()) {
      case HTTP -> new HttpGetProbe(http, check.getHttp().getPort(), check.getHttp().getPath());
      case TCP_PORT -> new TcpConnectProbe(check.getTcpPort());
      case EXEC -> new ExecCommandProbe(runtime, check.getExec().getArgvList());
      case PROBE_NOT_SET ->
          throw new IllegalArgumentException("health check without a probe: " + check);
    };
  }
}
