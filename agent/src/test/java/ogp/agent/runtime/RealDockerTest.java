package ogp.agent.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.PushResponseItem;
import com.github.dockerjava.core.RemoteApiVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests against the real Docker engine. Without a reachable engine they fail when
 * {@code ogp.ci=true} (CI must prove the agent works) and are skipped otherwise.
 *
 * <p>Every test gets a runtime scoped to a fresh {@code ogp.test=<uuid>} label, so it sees and
 * touches only its own containers even when other test runs share the engine, and a unique app
 * prefix. Every container with that label and every image tag the test made are removed after the
 * test, also when it failed.
 */
public abstract class RealDockerTest {
  public static final String BASE_IMAGE = "busybox:1.36";
  public static final String REGISTRY = "127.0.0.1:5000";
  public static final String TEST_LABEL = "ogp.test";

  protected final String testId = UUID.randomUUID().toString();

  /** Unique per test, valid as an app name. */
  protected final String app = "t" + testId.substring(0, 8);

  protected DockerRuntime runtime;

  /** Raw docker-java, only for fixtures and for checking what the runtime did. */
  protected DockerClient docker;

  private final List<String> imageTags = new ArrayList<>();
  private final List<DockerRuntime> extraRuntimes = new ArrayList<>();

  /**
   * Awaitility waits check at once and then every 50 ms, instead of first after its default 100 ms:
   * the fault tests print how long detection and convergence took (docs/reliability.md quotes those
   * times), and a first check 100 ms late would be counted in them.
   */
  @BeforeEach
  void checkWaitsAtOnceThenEvery50Ms() {
    Awaitility.setDefaultPollDelay(Duration.ZERO);
    Awaitility.setDefaultPollInterval(Duration.ofMillis(50));
  }

  @AfterEach
  void restoreAwaitilityDefaults() {
    Awaitility.reset();
  }

  @BeforeEach
  void connectToDocker() {
    try {
      runtime = newRuntime();
    } catch (RuntimeFailure e) {
      if ("true".equalsIgnoreCase(System.getProperty("ogp.ci"))) {
        fail("CI requires a Docker engine: " + e.getMessage(), e);
      }
      Assumptions.abort("no Docker engine: " + e.getMessage());
    }
    docker =
        DockerRuntime.client(
            DockerRuntime.DEFAULT_HOST,
            RemoteApiVersion.parseConfig(runtime.engine().negotiatedApiVersion()));
  }

  /** Another runtime with this test's scope, e.g. the runtime of a restarted agent. */
  protected DockerRuntime newRuntime() {
    DockerRuntime another =
        DockerRuntime.connect(
            DockerRuntime.DEFAULT_HOST, RegistryCredentials.none(), Map.of(TEST_LABEL, testId));
    extraRuntimes.add(another);
    return another;
  }

  @AfterEach
  void removeWhatTheTestMade() throws IOException {
    if (docker == null) {
      return;
    }
    List<Container> leftovers =
        docker
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(TEST_LABEL, testId))
            .exec();
    for (Container container : leftovers) {
      try {
        docker.removeContainerCmd(container.getId()).withForce(true).exec();
      } catch (NotFoundException gone) {
        // removed meanwhile
      }
    }
    for (String tag : imageTags) {
      try {
        docker.removeImageCmd(tag).withNoPrune(true).exec();
      } catch (NotFoundException gone) {
        // never made or already removed
      }
    }
    extraRuntimes.forEach(DockerRuntime::close);
    docker.close();
  }

  /** Tags the base image as {@code ogp-test-<uuid>:<tag>} (removed after the test). */
  protected String localImage(String tag) {
    String repository = "ogp-test-" + testId;
    docker.tagImageCmd(BASE_IMAGE, repository, tag).exec();
    imageTags.add(repository + ":" + tag);
    return repository;
  }

  /**
   * Pushes the base image to the private registry as {@code <repository>:<tag>} and removes the
   * local tag.
   */
  protected String pushToRegistry(String tag) throws InterruptedException {
    String repository = REGISTRY + "/ogp-test-" + testId + "/busybox";
    docker.tagImageCmd(BASE_IMAGE, repository, tag).exec();
    imageTags.add(repository + ":" + tag);
    if (!docker
        .pushImageCmd(repository)
        .withTag(tag)
        .exec(new ResultCallback.Adapter<PushResponseItem>())
        .awaitCompletion(60, TimeUnit.SECONDS)) {
      fail("push of " + repository + ":" + tag + " did not finish");
    }
    docker.removeImageCmd(repository + ":" + tag).withNoPrune(true).exec();
    return repository;
  }

  /**
   * Records an image tag the runtime will create (e.g. by a pull), so it is removed after the test.
   */
  protected void removeAfterTest(String imageTag) {
    imageTags.add(imageTag);
  }

  protected InspectContainerResponse inspect(String containerId) {
    return docker.inspectContainerCmd(containerId).exec();
  }

  protected boolean exists(String containerId) {
    try {
      docker.inspectContainerCmd(containerId).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  protected static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The body at {@code url}, or null while nothing answers. */
  protected static String httpGet(String url) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Waits until exactly one container of {@code app} in this test's scope exists, runs and has
   * {@code version}, and returns it; at the deadline fails with {@code context}.
   */
  protected Container awaitOneRunning(
      String app, String version, Duration deadline, Supplier<String> context) {
    AtomicReference<Container> found = new AtomicReference<>();
    await()
        .atMost(deadline)
        .untilAsserted(
            () -> {
              List<Container> all =
                  docker
                      .listContainersCmd()
                      .withShowAll(true)
                      .withLabelFilter(Map.of(TEST_LABEL, testId, "ogp.app", app))
                      .exec();
              assertTrue(
                  all.size() == 1
                      && "running".equals(all.get(0).getState())
                      && version.equals(all.get(0).getLabels().get("ogp.version")),
                  () ->
                      "one running container of " + app + " at " + version + "; " + context.get());
              found.set(all.get(0));
            });
    return found.get();
  }
}
