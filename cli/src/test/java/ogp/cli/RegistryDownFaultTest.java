package ogp.cli;

import static ogp.cli.Holds.holdsFor;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.PushResponseItem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;

/**
 * The registry holding a new version is down during the pull. The shared registry on 127.0.0.1:5000
 * is used by other test runs, so this test owns a registry address of its own: nothing listens
 * there during the fault, then it starts its own {@code docker-registry} process there and pushes
 * the image, and the agent's periodic re-converge completes the deploy.
 */
class RegistryDownFaultTest extends FaultTest {

  @Test
  void registryDownDuringAPullKeepsTheOldVersionReportsPullFailedAndConvergesWhenItIsBack()
      throws Exception {
    int registryPort = freePort();
    String image = "127.0.0.1:" + registryPort + "/ogp-test-" + testId + "/busybox";
    // v1 is already on the host (pulled long ago); v2 exists only in the registry that is down.
    docker.tagImageCmd(BASE_IMAGE, image, "v1").exec();
    removeAfterTest(image + ":v1");
    removeAfterTest(image + ":v2");
    TestRepo repo = repoWithApp(image, QUICK_STOP);
    ServerProcess server = startServer(repo.path().toString(), 0, Duration.ofSeconds(15));
    Api api = Api.of(server);
    startAgent(server.agentPort(), server.joinToken().reveal());
    Container v1 = awaitOneRunning("v1");
    String startedAt = startedAt(v1.getId());
    Sampler sampler = sample();

    String v2 = commitVersion(repo, image, "v2");
    api.refresh();
    long deployedAt = System.nanoTime();
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertFalse(
                    api.events("PullFailed", e -> app.equals(e.path("app").asText())).isEmpty(),
                    () -> "a PullFailed event: " + api.tryGet("/api/v1/events")));
    long detectMs = msSince(deployedAt);
    awaitAppStatus(api, "/health", "Degraded", "the app is Degraded:");
    String lastError = api.app(app).path("hosts").get(0).path("lastError").asText();
    assertTrue(
        lastError.contains("127.0.0.1:" + registryPort),
        "the error names the registry: " + lastError);
    // Several failed retries (one a second) leave the old version running.
    holdsFor(
        Duration.ofSeconds(3),
        () ->
            assertEquals(
                List.of(v1.getId()),
                running().stream().map(Container::getId).toList(),
                "the old version keeps running: " + describe()));
    assertEquals(startedAt, startedAt(v1.getId()), "the old container was never restarted");

    startRegistry(registryPort);
    push(image, "v2");
    long backAt = System.nanoTime();
    awaitConverged(api, "v2", v2);
    long convergeMs = msSince(backAt);
    sampler.assertNeverTwoRunning();
    report("registry down during a pull", detectMs, convergeMs);
  }

  /** The registry comes back: a docker-registry process of this test, with its own storage. */
  private void startRegistry(int port) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("registry"));
    Path config =
        Files.writeString(
            dir.resolve("config.yml"),
            """
        version: 0.1
        log:
          level: warn
        storage:
          filesystem:
            rootdirectory: %s
        http:
          addr: 127.0.0.1:%d
        """
                .formatted(dir.resolve("data"), port));
    Process registry =
        new ProcessBuilder("docker-registry", "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("registry.log").toFile())
            .start();
    closeAfterTest(
        () -> {
          registry.destroyForcibly();
          registry.waitFor(10, TimeUnit.SECONDS);
        });
    await("the registry answers")
        .atMost(CONVERGE)
        .until(() -> httpGet("http://127.0.0.1:" + port + "/v2/") != null);
  }

  private void push(String repository, String tag) throws InterruptedException {
    docker.tagImageCmd(BASE_IMAGE, repository, tag).exec();
    if (!docker
        .pushImageCmd(repository)
        .withTag(tag)
        .exec(new ResultCallback.Adapter<PushResponseItem>())
        .awaitCompletion(60, TimeUnit.SECONDS)) {
      fail("push of " + repository + ":" + tag + " did not finish");
    }
    // The host must pull it: only the registry holds v2 now.
    docker.removeImageCmd(repository + ":" + tag).withNoPrune(true).exec();
  }
}
