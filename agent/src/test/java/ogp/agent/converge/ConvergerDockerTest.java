package ogp.agent.converge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.HostConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import ogp.agent.probe.HealthMonitor;
import ogp.agent.runtime.RealDockerTest;
import ogp.protocol.SpecHash;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.HealthCheck;
import ogp.protocol.v1.HttpProbe;
import ogp.protocol.v1.PortMapping;
import ogp.protocol.v1.StatusReport;
import ogp.protocol.v1.VolumeMount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The converger against the real engine: create, keep, replace, repair, remove, adopt, fail a pull.
 */
class ConvergerDockerTest extends RealDockerTest {
  private static final Duration SHORT_GRACE = Duration.ofSeconds(1);

  @TempDir Path www;
  private HealthMonitor health;
  private Converger converger;
  private int hostPort;
  private String marker;

  @BeforeEach
  void setUp() throws IOException {
    health = HealthMonitor.start(runtime, java.time.Clock.systemUTC());
    converger = new Converger(runtime, health, SHORT_GRACE);
    hostPort = freePort();
    marker = "hello from " + testId;
    Files.writeString(www.resolve("index.html"), marker);
    // the engine's httpd user must read it
    www.toFile().setReadable(true, false);
    www.toFile().setExecutable(true, false);
    www.resolve("index.html").toFile().setReadable(true, false);
  }

  @AfterEach
  void stopProbes() {
    if (health != null) {
      health.close();
    }
  }

  @Test
  void convergingCreatesARunningContainerWithImageLabelsPortsEnvAndVolumeAndAgainChangesNothing() {
    ContainerSpec spec =
        SpecHash.withHash(
            web(localImage("v1"), "v1").toBuilder()
                .setHealth(
                    HealthCheck.newBuilder()
                        .setHttp(HttpProbe.newBuilder().setPort(8080).setPath("/"))
                        .setIntervalMs(200))
                .build());

    StatusReport report = converger.converge(assignment("rev-1", spec));

    ContainerStatus status = only(report);
    assertEquals("running", status.getState(), status.toString());
    assertEquals("", status.getLastError());
    assertEquals("v1", status.getVersion());
    assertEquals(spec.getSpecHash(), status.getSpecHash());
    assertEquals("rev-1", report.getRevision());
    InspectContainerResponse container = inspect(status.getContainerId());
    assertEquals("/ogp-" + app + "-0", container.getName());
    assertEquals("ogp-test-" + testId + ":v1", container.getConfig().getImage());
    Map<String, String> labels = container.getConfig().getLabels();
    assertEquals("true", labels.get("ogp.managed"));
    assertEquals(app, labels.get("ogp.app"));
    assertEquals("0", labels.get("ogp.instance"));
    assertEquals("v1", labels.get("ogp.version"));
    assertEquals("rev-1", labels.get("ogp.revision"));
    assertEquals(spec.getSpecHash(), labels.get("ogp.spec-hash"));
    assertTrue(List.of(container.getConfig().getEnv()).contains("GREETING=hello"));
    HostConfig hostConfig = container.getHostConfig();
    assertEquals("unless-stopped", hostConfig.getRestartPolicy().getName());
    assertTrue(
        container.getMounts().stream()
            .anyMatch(m -> "/www".equals(m.getDestination().getPath()) && !m.getRW()),
        "read-only bind mount of /www");
    await("httpd answers on host port " + hostPort + " with the mounted page")
        .atMost(Duration.ofSeconds(10))
        .until(() -> marker.equals(httpGet("http://127.0.0.1:" + hostPort + "/")));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertEquals(
                    ContainerStatus.Health.HEALTHY,
                    only(converger.report()).getHealth(),
                    () -> "reported healthy: " + converger.report()));

    StatusReport again = converger.converge(assignment("rev-2", spec));

    assertEquals(status.getContainerId(), only(again).getContainerId());
    assertEquals(
        container.getState().getStartedAt(),
        inspect(status.getContainerId()).getState().getStartedAt(),
        "not restarted");
    assertEquals("rev-2", again.getRevision());
  }

  @Test
  void versionChangeReplacesTheContainerAndRemovalFromTheAssignmentRemovesIt() {
    String repository = localImage("v1");
    localImage("v2");
    String v1 =
        only(converger.converge(assignment("rev-1", web(repository, "v1")))).getContainerId();

    ContainerStatus v2 = only(converger.converge(assignment("rev-2", web(repository, "v2"))));

    assertNotEquals(v1, v2.getContainerId());
    assertEquals("running", v2.getState());
    assertEquals("v2", v2.getVersion());
    assertEquals(repository + ":v2", inspect(v2.getContainerId()).getConfig().getImage());
    assertFalse(exists(v1), "old container removed");

    StatusReport empty = converger.converge(assignment("rev-3"));

    assertEquals(0, empty.getContainersCount(), empty.toString());
    assertFalse(exists(v2.getContainerId()), "removed container is gone");
  }

  @Test
  void containerStoppedByHandIsStartedAgainAndOneRemovedByHandIsRecreated() {
    Assignment assignment = assignment("rev-1", web(localImage("v1"), "v1"));
    String id = only(converger.converge(assignment)).getContainerId();
    docker.stopContainerCmd(id).withTimeout(1).exec();
    assertEquals("exited", inspect(id).getState().getStatus());

    ContainerStatus restarted = only(converger.converge(assignment));

    assertEquals(id, restarted.getContainerId());
    assertEquals("running", restarted.getState());

    docker.removeContainerCmd(id).withForce(true).exec();

    ContainerStatus recreated = only(converger.converge(assignment));

    assertNotEquals(id, recreated.getContainerId());
    assertEquals("running", recreated.getState());
  }

  @Test
  void unmanagedContainersAreNeverTouchedAndNeverReported() {
    String repository = localImage("v1");
    String similar =
        docker
            .createContainerCmd(repository + ":v1")
            .withName("ogp-" + app + "-0-manual")
            .withLabels(Map.of(TEST_LABEL, testId, "ogp.app", app))
            .withCmd("sleep", "300")
            .exec()
            .getId();
    docker.startContainerCmd(similar).exec();
    converger.converge(assignment("rev-1", web(repository, "v1")));

    StatusReport report = converger.converge(assignment("rev-2"));

    assertEquals(0, report.getContainersCount(), report.toString());
    assertEquals("running", inspect(similar).getState().getStatus());
  }

  @Test
  void nameHeldByAnUnmanagedContainerFailsThatContainerOnlyAndLeavesTheOtherRunning() {
    String repository = localImage("v1");
    String squatter =
        docker
            .createContainerCmd(repository + ":v1")
            .withName("ogp-" + app + "-0")
            .withLabels(Map.of(TEST_LABEL, testId))
            .withCmd("sleep", "300")
            .exec()
            .getId();
    ContainerSpec blocked = web(repository, "v1");
    ContainerSpec other =
        SpecHash.withHash(blocked.toBuilder().setInstance(1).clearPorts().clearSpecHash().build());

    StatusReport report = converger.converge(assignment("rev-1", blocked, other));

    assertEquals(2, report.getContainersCount(), report.toString());
    ContainerStatus failed = report.getContainers(1);
    assertEquals(0, failed.getInstance());
    assertEquals("failed", failed.getState());
    assertTrue(failed.getLastError().contains("not managed by OGP"), failed.getLastError());
    assertEquals("running", report.getContainers(0).getState());
    assertEquals("created", inspect(squatter).getState().getStatus(), "the squatter is untouched");
  }

  @Test
  void restartedAgentAdoptsMatchingContainersWithoutRestartingThem() {
    Assignment assignment = assignment("rev-1", web(localImage("v1"), "v1"));
    String id = only(converger.converge(assignment)).getContainerId();
    String startedAt = inspect(id).getState().getStartedAt();

    try (HealthMonitor restartedHealth =
        HealthMonitor.start(runtime, java.time.Clock.systemUTC())) {
      Converger restarted = new Converger(newRuntime(), restartedHealth, SHORT_GRACE);
      ContainerStatus before = only(restarted.report());
      assertEquals(
          id, before.getContainerId(), "a fresh agent reports what it finds before any assignment");
      assertThrows(
          IllegalArgumentException.class,
          () -> restarted.converge(Assignment.getDefaultInstance()),
          "static stability: no made-up empty assignment");
      assertTrue(exists(id));

      ContainerStatus adopted = only(restarted.converge(assignment));

      assertEquals(id, adopted.getContainerId());
      assertEquals(startedAt, inspect(id).getState().getStartedAt());
    }
  }

  @Test
  void realPullFromThePrivateRegistryWorksAndAMissingTagLeavesTheOldVersionRunning()
      throws InterruptedException {
    String repository = pushToRegistry("v1");
    removeAfterTest(repository + ":v1");
    assertFalse(runtime.imagePresent(repository + ":v1"), "the image must come from the registry");

    ContainerStatus pulled = only(converger.converge(assignment("rev-1", web(repository, "v1"))));

    assertEquals("running", pulled.getState(), pulled.toString());
    assertTrue(runtime.imagePresent(repository + ":v1"));

    StatusReport report = converger.converge(assignment("rev-2", web(repository, "nope")));

    ContainerStatus kept = only(report);
    assertEquals(pulled.getContainerId(), kept.getContainerId());
    assertEquals("running", kept.getState());
    assertEquals("v1", kept.getVersion());
    assertTrue(kept.getLastError().contains("manifest unknown"), kept.getLastError());
  }

  @Test
  void aPortBoundToAHostAddressIsPublishedOnThatAddressOnly() {
    ContainerSpec base = web(localImage("v1"), "v1");
    ContainerSpec spec =
        SpecHash.withHash(
            base.toBuilder()
                .setPorts(0, base.getPorts(0).toBuilder().setHostIp("127.0.0.1"))
                .build());

    ContainerStatus status = only(converger.converge(assignment("rev-1", spec)));

    var bindings = inspect(status.getContainerId()).getHostConfig().getPortBindings().getBindings();
    var published = bindings.get(com.github.dockerjava.api.model.ExposedPort.tcp(8080));
    assertEquals(1, published.length, bindings.toString());
    assertEquals("127.0.0.1", published[0].getHostIp());
    assertEquals(Integer.toString(hostPort), published[0].getHostPortSpec());
    await("httpd answers on 127.0.0.1:" + hostPort)
        .atMost(Duration.ofSeconds(10))
        .until(() -> marker.equals(httpGet("http://127.0.0.1:" + hostPort + "/")));
  }

  private ContainerSpec web(String image, String version) {
    return SpecHash.withHash(
        ContainerSpec.newBuilder()
            .setApp(app)
            .setInstance(0)
            .setImage(image)
            .setVersion(version)
            .setState(ContainerSpec.RunState.RUNNING)
            .addAllCommand(List.of("httpd", "-f", "-p", "8080", "-h", "/www"))
            .putEnv("GREETING", "hello")
            .addPorts(
                PortMapping.newBuilder()
                    .setHostPort(hostPort)
                    .setContainerPort(8080)
                    .setProtocol("tcp"))
            .addVolumes(
                VolumeMount.newBuilder()
                    .setHostPath(www.toString())
                    .setContainerPath("/www")
                    .setReadOnly(true))
            .setRevision("rev-1")
            .build());
  }

  private static Assignment assignment(String revision, ContainerSpec... specs) {
    return Assignment.newBuilder()
        .setRevision(revision)
        .setGeneration(1)
        .addAllContainers(List.of(specs))
        .build();
  }

  private static ContainerStatus only(StatusReport report) {
    assertEquals(1, report.getContainersCount(), report.toString());
    return report.getContainers(0);
  }
}
