package ogp.agent.probe;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import ogp.agent.runtime.ApiVersionNegotiation;
import ogp.agent.runtime.DockerRuntime;
import ogp.agent.runtime.EngineInfo;
import ogp.agent.runtime.ExecResult;
import ogp.agent.runtime.ManagedContainer;
import ogp.agent.runtime.RealDockerTest;
import ogp.agent.runtime.RegistryCredentials;
import ogp.agent.runtime.RuntimeFailure;
import ogp.protocol.SpecHash;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus.Health;
import ogp.protocol.v1.ExecProbe;
import ogp.protocol.v1.HealthCheck;
import ogp.protocol.v1.HttpProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Health probes and the engine connection against the real engine. */
class HealthAndEngineDockerTest extends RealDockerTest {
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  @Test
  void negotiatesTheHighestApiVersionBothSpeak() {
    EngineInfo engine = runtime.engine();
    assertEquals(
        ApiVersionNegotiation.choose(engine.apiVersion(), engine.minApiVersion(), "1.44"),
        engine.negotiatedApiVersion());
    if (engine.apiVersion().equals("1.41")) {
      assertEquals("1.41", engine.negotiatedApiVersion(), "Debian 12's docker.io 20.10");
    }
    assertTrue(runtime.listManaged().isEmpty(), "pinned requests are served");
  }

  @Test
  void unreachableEngineIsAClearError() {
    RuntimeFailure failure =
        assertThrows(
            RuntimeFailure.class,
            () ->
                DockerRuntime.connect(
                    java.net.URI.create("tcp://127.0.0.1:" + freePort()),
                    RegistryCredentials.none(),
                    Map.of()));
    assertTrue(
        failure.getMessage().contains("cannot reach the Docker engine"), failure.getMessage());
  }

  @Test
  void httpProbeGoesHealthyForHttpdAndUnhealthyForAWrongPortAndExecProbeRuns() {
    String serving = runningHttpd(0);
    String wrongPort = runningHttpd(1);
    HealthCheck.Builder timing =
        HealthCheck.newBuilder().setIntervalMs(200).setTimeoutMs(1000).setRetries(2);
    try (HealthMonitor monitor = new HealthMonitor(runtime, scheduler, Clock.systemUTC())) {
      monitor.watch(
          Map.of(
              serving,
                  timing.clone().setHttp(HttpProbe.newBuilder().setPort(8080).setPath("/")).build(),
              wrongPort,
                  timing
                      .clone()
                      .setHttp(HttpProbe.newBuilder().setPort(9999).setPath("/"))
                      .build()));

      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertEquals(
                      Health.HEALTHY,
                      monitor.health(serving),
                      () -> "httpd is healthy, last: " + monitor.record(serving)));
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertEquals(
                      Health.UNHEALTHY,
                      monitor.health(wrongPort),
                      () -> "wrong port is unhealthy, last: " + monitor.record(wrongPort)));
      assertTrue(monitor.record(wrongPort).orElseThrow().lastDetail().contains(":9999"));

      monitor.watch(
          Map.of(
              wrongPort, timing.clone().setExec(ExecProbe.newBuilder().addArgv("true")).build()));

      assertEquals(Health.HEALTH_UNSPECIFIED, monitor.health(serving), "no longer watched");
      await("exec probe `true` is healthy")
          .atMost(Duration.ofSeconds(15))
          .until(() -> monitor.health(wrongPort) == Health.HEALTHY);
    }
  }

  @Test
  void execRunsInsideTheContainerAndReportsItsExitCode() {
    String id = runningHttpd(0);
    ExecResult result =
        runtime.exec(id, List.of("sh", "-c", "echo inside; exit 3"), Duration.ofSeconds(10));
    assertEquals(3, result.exitCode());
    assertTrue(result.output().contains("inside"), result.output());
  }

  /** httpd serving a page on container port 8080 (busybox has no page of its own). */
  private String runningHttpd(int instance) {
    ContainerSpec spec =
        SpecHash.withHash(
            ContainerSpec.newBuilder()
                .setApp(app)
                .setInstance(instance)
                .setImage(localImage("v1"))
                .setVersion("v1")
                .addAllCommand(
                    List.of(
                        "sh",
                        "-c",
                        "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"))
                .build());
    String id = runtime.create(spec);
    runtime.start(id);
    ManagedContainer container = runtime.inspect(id).orElseThrow();
    assertEquals("running", container.state());
    assertFalse(container.ipAddress().isEmpty(), "has a bridge address");
    return id;
  }
}
