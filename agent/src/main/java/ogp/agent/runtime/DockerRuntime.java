package ogp.agent.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.RemoteApiVersion;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import ogp.protocol.v1.ContainerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ContainerRuntime} on the Docker Engine API through docker-java (Apache HttpClient 5
 * transport; unix sockets and tcp). {@link #connect} asks the engine's {@code /version} on an
 * unversioned path and pins every later request to the version {@link ApiVersionNegotiation}
 * chooses, so the same agent works with Engine 20.10 (API 1.41) and with engines that refuse API
 * versions below 1.44.
 *
 * <p>A runtime may have a <em>scope</em>: extra labels put on every container it creates and
 * required of every container it lists or touches. The agent runs unscoped; tests scope a runtime
 * to themselves so that concurrent test runs on one engine never see each other's containers.
 *
 * <p>Thread-safe: docker-java's client is, and this class keeps no mutable state.
 */
public final class DockerRuntime implements ContainerRuntime {
  /** Docker's own default. */
  public static final URI DEFAULT_HOST = URI.create("unix:///var/run/docker.sock");

  private static final Logger log = LoggerFactory.getLogger(DockerRuntime.class);
  private static final RemoteApiVersion CLIENT_MAX = RemoteApiVersion.VERSION_1_44;
  private static final Duration PULL_TIMEOUT = Duration.ofMinutes(10);
  private static final int EXEC_OUTPUT_LIMIT = 4096;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DockerClient docker;
  private final EngineInfo engine;
  private final RegistryCredentials credentials;
  private final Map<String, String> scope;

  private DockerRuntime(
      DockerClient docker,
      EngineInfo engine,
      RegistryCredentials credentials,
      Map<String, String> scope) {
    this.docker = docker;
    this.engine = engine;
    this.credentials = credentials;
    this.scope = Map.copyOf(scope);
  }

  /**
   * Connects to {@code dockerHost} ({@code unix:///path} or {@code tcp://host:port}) and negotiates
   * the API version.
   *
   * @param scope labels put on and required of every container (empty: all managed containers)
   * @throws RuntimeFailure when the engine is unreachable or speaks no common API version
   */
  public static DockerRuntime connect(
      URI dockerHost, RegistryCredentials credentials, Map<String, String> scope) {
    Version version;
    // Unversioned paths are served at the engine's own latest version, so /version always answers.
    try (DockerClient unpinned = client(dockerHost, RemoteApiVersion.unknown())) {
      version = unpinned.versionCmd().exec();
    } catch (IOException | RuntimeException e) {
      throw new RuntimeFailure(
          "cannot reach the Docker engine at " + dockerHost + ": " + messageOf(e), e);
    }
    String chosen =
        ApiVersionNegotiation.choose(
            version.getApiVersion(), version.getMinAPIVersion(), CLIENT_MAX.getVersion());
    EngineInfo engine =
        new EngineInfo(
            version.getVersion(), version.getApiVersion(), version.getMinAPIVersion(), chosen);
    log.info(
        "Docker engine {} at {}: API {} (engine {}..{})",
        engine.version(),
        dockerHost,
        chosen,
        engine.minApiVersion(),
        engine.apiVersion());
    return new DockerRuntime(
        client(dockerHost, RemoteApiVersion.parseConfig(chosen)), engine, credentials, scope);
  }

  /** Package-private so tests build their fixture client exactly like the runtime does. */
  static DockerClient client(URI dockerHost, RemoteApiVersion apiVersion) {
    DockerClientConfig config =
        DefaultDockerClientConfig.createDefaultConfigBuilder()
            .withDockerHost(dockerHost.toString())
            .withApiVersion(apiVersion)
            .build();
    ApacheDockerHttpClient http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .maxConnections(32)
            .connectionTimeout(Duration.ofSeconds(5))
            // Pulls and exec streams stay open; the engine sends progress far more often than this.
            .responseTimeout(Duration.ofMinutes(2))
            .build();
    return DockerClientImpl.getInstance(config, http);
  }

  @Override
  public EngineInfo engine() {
    return engine;
  }

  @Override
  public List<ManagedContainer> listManaged() {
    Map<String, String> filter = new HashMap<>(scope);
    filter.put(OgpLabels.MANAGED, "true");
    List<Container> listed =
        call(
            "list containers",
            () -> docker.listContainersCmd().withShowAll(true).withLabelFilter(filter).exec());
    List<ManagedContainer> managed = new ArrayList<>();
    for (Container container : listed) {
      // Removed between list and inspect: simply not there any more.
      inspect(container.getId()).ifPresent(managed::add);
    }
    return managed;
  }

  @Override
  public Optional<ManagedContainer> inspect(String containerId) {
    InspectContainerResponse response;
    try {
      response = docker.inspectContainerCmd(containerId).exec();
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      throw failure("inspect container " + containerId, e);
    }
    Map<String, String> labels = labelsOf(response);
    if (!isManaged(labels)) {
      return Optional.empty();
    }
    return Optional.of(toManaged(response, labels));
  }

  @Override
  public boolean imagePresent(String image) {
    try {
      docker.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    } catch (RuntimeException e) {
      throw failure("inspect image " + image, e);
    }
  }

  @Override
  public void pull(String image) {
    ImageReference ref = ImageReference.parse(image);
    PullImageCmd cmd = docker.pullImageCmd(ref.repository()).withTag(ref.tag());
    credentials
        .forRegistry(ref.registry())
        .ifPresent(
            login ->
                cmd.withAuthConfig(
                    new AuthConfig()
                        .withRegistryAddress(login.registry())
                        .withUsername(login.username())
                        .withPassword(login.password())));
    try {
      boolean done =
          cmd.exec(new PullImageResultCallback())
              .awaitCompletion(PULL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        throw new RuntimeFailure("pull " + image + ": no result after " + PULL_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeFailure("pull " + image + ": interrupted", e);
    } catch (RuntimeException e) {
      throw failure("pull " + image, e);
    }
    log.info("pulled {}", image);
  }

  @Override
  public String create(ContainerSpec spec) {
    String name = nameOf(ContainerKey.of(spec));
    try {
      return createCommand(spec, name).exec().getId();
    } catch (ConflictException conflict) {
      // A leftover of ours (e.g. a removal that failed half-way) may be replaced; anyone else's is
      // not ours to touch.
      ManagedContainer leftover =
          inspect(name)
              .orElseThrow(
                  () ->
                      new RuntimeFailure(
                          "create "
                              + name
                              + ": the name is taken by a container not managed by OGP; rename or remove it"));
      log.warn(
          "replacing leftover container {} ({}) that holds the name {}",
          leftover.id(),
          leftover.state(),
          name);
      remove(leftover.id());
      return call("create " + name, () -> createCommand(spec, name).exec().getId());
    } catch (RuntimeException e) {
      throw failure("create " + name, e);
    }
  }

  /**
   * The key's container name, with the scope's host when the scope names one ({@link
   * OgpLabels#SCOPE_HOST}).
   */
  private String nameOf(ContainerKey key) {
    String host = scope.get(OgpLabels.SCOPE_HOST);
    return host == null ? key.containerName() : key.containerName() + "-" + host;
  }

  private CreateContainerCmd createCommand(ContainerSpec spec, String name) {
    Map<String, String> labels = new HashMap<>(scope);
    labels.putAll(DockerContainerConfig.labels(spec));
    return DockerContainerConfig.apply(
        spec,
        docker
            .createContainerCmd(ImageReference.of(spec).toString())
            .withName(name)
            .withLabels(labels));
  }

  @Override
  public void start(String containerId) {
    requireManaged(containerId, "start");
    try {
      docker.startContainerCmd(containerId).exec();
    } catch (NotModifiedException alreadyRunning) {
      // the wanted state already holds
    } catch (RuntimeException e) {
      throw failure("start " + containerId, e);
    }
  }

  @Override
  public void stop(String containerId, Duration grace) {
    requireManaged(containerId, "stop");
    try {
      docker.stopContainerCmd(containerId).withTimeout((int) Math.max(0, grace.toSeconds())).exec();
    } catch (NotModifiedException | NotFoundException alreadyStopped) {
      // the wanted state already holds
    } catch (RuntimeException e) {
      throw failure("stop " + containerId, e);
    }
  }

  @Override
  public void remove(String containerId) {
    requireManaged(containerId, "remove");
    try {
      docker.removeContainerCmd(containerId).withForce(true).exec();
    } catch (NotFoundException alreadyGone) {
      // the wanted state already holds
    } catch (RuntimeException e) {
      throw failure("remove " + containerId, e);
    }
  }

  @Override
  public ExecResult exec(String containerId, List<String> argv, Duration timeout) {
    requireManaged(containerId, "exec in");
    String execId =
        call(
            "exec in " + containerId,
            () ->
                docker
                    .execCreateCmd(containerId)
                    .withCmd(argv.toArray(String[]::new))
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .exec()
                    .getId());
    StringBuilder output = new StringBuilder();
    ResultCallback.Adapter<Frame> callback =
        new ResultCallback.Adapter<>() {
          @Override
          public void onNext(Frame frame) {
            synchronized (output) {
              if (output.length() < EXEC_OUTPUT_LIMIT) {
                output.append(
                    new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
              }
            }
          }
        };
    try (ResultCallback.Adapter<Frame> running = docker.execStartCmd(execId).exec(callback)) {
      if (!running.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return new ExecResult(-1, "timed out after " + timeout.toMillis() + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new ExecResult(-1, "interrupted");
    } catch (IOException | RuntimeException e) {
      throw failure("exec in " + containerId, e);
    }
    Long exitCode =
        call(
            "inspect exec " + execId, () -> docker.inspectExecCmd(execId).exec().getExitCodeLong());
    synchronized (output) {
      String text =
          output.length() > EXEC_OUTPUT_LIMIT
              ? output.substring(0, EXEC_OUTPUT_LIMIT)
              : output.toString();
      return new ExecResult(exitCode == null ? -1 : exitCode.intValue(), text);
    }
  }

  @Override
  public void close() {
    try {
      docker.close();
    } catch (IOException e) {
      log.debug("closing the Docker client", e);
    }
  }

  private void requireManaged(String containerId, String verb) {
    if (inspect(containerId).isEmpty()) {
      throw new RuntimeFailure(
          "refusing to "
              + verb
              + " container "
              + containerId
              + ": it is not managed by OGP or is gone");
    }
  }

  private boolean isManaged(Map<String, String> labels) {
    if (!"true".equals(labels.get(OgpLabels.MANAGED))) {
      return false;
    }
    return scope.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private static Map<String, String> labelsOf(InspectContainerResponse response) {
    Map<String, String> labels =
        response.getConfig() == null ? null : response.getConfig().getLabels();
    return labels == null ? Map.of() : labels;
  }

  private static ManagedContainer toManaged(
      InspectContainerResponse r, Map<String, String> labels) {
    InspectContainerResponse.ContainerState state = r.getState();
    String name = r.getName() == null ? "" : r.getName().replaceFirst("^/", "");
    return new ManagedContainer(
        r.getId(),
        name,
        labels.getOrDefault(OgpLabels.APP, ""),
        instanceOf(labels.get(OgpLabels.INSTANCE)),
        r.getConfig().getImage(),
        labels.getOrDefault(OgpLabels.VERSION, ""),
        labels.getOrDefault(OgpLabels.REVISION, ""),
        labels.getOrDefault(OgpLabels.SPEC_HASH, ""),
        state == null || state.getStatus() == null ? "unknown" : state.getStatus(),
        state == null || state.getExitCodeLong() == null ? 0 : state.getExitCodeLong().intValue(),
        r.getRestartCount() == null ? 0 : r.getRestartCount(),
        state == null ? null : instantOf(state.getStartedAt()),
        ipAddressOf(r));
  }

  private static int instanceOf(String label) {
    try {
      return label == null ? -1 : Integer.parseInt(label);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Docker writes {@code 0001-01-01T00:00:00Z} for "never". */
  private static Instant instantOf(String text) {
    if (text == null || text.isEmpty() || text.startsWith("0001-")) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String ipAddressOf(InspectContainerResponse r) {
    if (r.getNetworkSettings() == null) {
      return "";
    }
    String legacy = r.getNetworkSettings().getIpAddress();
    if (legacy != null && !legacy.isEmpty()) {
      return legacy;
    }
    // API 1.44+ may leave the legacy field empty; the per-network address is authoritative there.
    Map<String, ContainerNetwork> networks = r.getNetworkSettings().getNetworks();
    if (networks == null) {
      return "";
    }
    return networks.values().stream()
        .map(ContainerNetwork::getIpAddress)
        .filter(ip -> ip != null && !ip.isEmpty())
        .findFirst()
        .orElse("");
  }

  private interface Call<T> {
    T run();
  }

  private static <T> T call(String what, Call<T> call) {
    try {
      return call.run();
    } catch (RuntimeException e) {
      throw failure(what, e);
    }
  }

  private static RuntimeFailure failure(String what, Exception e) {
    return e instanceof RuntimeFailure f ? f : new RuntimeFailure(what + ": " + messageOf(e), e);
  }

  /**
   * The engine's own words: docker-java wraps them as {@code Status 404: {"message":"..."}}, and a
   * failed pull stream as {@code Could not pull image: ...}.
   */
  static String messageOf(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().trim();
    if (e instanceof DockerException) {
      int brace = message.indexOf('{');
      if (brace >= 0) {
        try {
          String engineMessage = JSON.readTree(message.substring(brace)).path("message").asText("");
          if (!engineMessage.isEmpty()) {
            return engineMessage;
          }
        } catch (IOException notJson) {
          // fall through to the raw text
        }
      }
    }
    if (e instanceof DockerClientException && message.startsWith("Could not pull image: ")) {
      return message.substring("Could not pull image: ".length());
    }
    Throwable cause = e.getCause();
    if (cause != null && cause != e && (message.isEmpty() || message.startsWith("java."))) {
      return messageOf(cause);
    }
    return message;
  }
}
