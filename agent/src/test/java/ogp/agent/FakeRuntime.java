package ogp.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import ogp.agent.runtime.ContainerKey;
import ogp.agent.runtime.ContainerRuntime;
import ogp.agent.runtime.EngineInfo;
import ogp.agent.runtime.ExecResult;
import ogp.agent.runtime.ImageReference;
import ogp.agent.runtime.ManagedContainer;
import ogp.agent.runtime.RuntimeFailure;
import ogp.protocol.SpecHash;
import ogp.protocol.v1.ContainerSpec;

/**
 * An in-memory Docker engine holding managed containers as records: pure logic, no I/O. It keeps
 * the {@link ContainerRuntime} contract the converger relies on (create does not start, a leftover
 * holding the name is replaced, starting a running or removing a gone container is no error,
 * changing a gone one is) and records every changing call in {@link #operations()}, so a test can
 * say what the agent did. Like an engine, its containers outlive a client: {@link #close()} keeps
 * them, so a second agent over the same fake sees what the first one left. Each start gets its own
 * start time (not a real one): all the health monitor asks of it.
 */
final class FakeRuntime implements ContainerRuntime {
  private static final EngineInfo ENGINE = new EngineInfo("27.0.0-fake", "1.46", "1.24", "1.46");

  private final Map<String, ManagedContainer> containers = new LinkedHashMap<>();
  private final Set<String> images = new HashSet<>();
  private final List<String> operations = new ArrayList<>();
  private int nextId = 1;
  private int starts;

  /** The changing calls so far, e.g. {@code pull reg/web:1}, {@code create web/0 c1}. */
  List<String> operations() {
    return List.copyOf(operations);
  }

  /** What an operator's {@code docker rm -f} does: not recorded as the agent's operation. */
  void removeBehindTheAgentsBack(String containerId) {
    containers.remove(containerId);
  }

  @Override
  public EngineInfo engine() {
    return ENGINE;
  }

  @Override
  public List<ManagedContainer> listManaged() {
    return List.copyOf(containers.values());
  }

  @Override
  public Optional<ManagedContainer> inspect(String containerId) {
    return Optional.ofNullable(containers.get(containerId));
  }

  @Override
  public boolean imagePresent(String image) {
    return images.contains(image);
  }

  @Override
  public void pull(String image) {
    operations.add("pull " + image);
    images.add(image);
  }

  @Override
  public String create(ContainerSpec spec) {
    ContainerKey key = ContainerKey.of(spec);
    containers.values().removeIf(c -> c.name().equals(key.containerName()));
    String id = "c" + nextId++;
    operations.add("create " + key + " " + id);
    containers.put(
        id,
        new ManagedContainer(
            id,
            key.containerName(),
            spec.getApp(),
            spec.getInstance(),
            ImageReference.of(spec).toString(),
            spec.getVersion(),
            spec.getRevision(),
            spec.getSpecHash().isEmpty() ? SpecHash.of(spec) : spec.getSpecHash(),
            "created",
            0,
            0,
            null,
            ""));
    return id;
  }

  @Override
  public void start(String containerId) {
    ManagedContainer c = existing(containerId, "start");
    operations.add("start " + containerId);
    if (!c.isRunning()) {
      containers.put(containerId, withState(c, "running", true));
    }
  }

  @Override
  public void stop(String containerId, Duration grace) {
    ManagedContainer c = existing(containerId, "stop");
    operations.add("stop " + containerId);
    containers.put(containerId, withState(c, "exited", false));
  }

  @Override
  public void remove(String containerId) {
    operations.add("remove " + containerId);
    containers.remove(containerId);
  }

  @Override
  public ExecResult exec(String containerId, List<String> argv, Duration timeout) {
    throw new UnsupportedOperationException("no health probes in these tests");
  }

  @Override
  public void close() {}

  private ManagedContainer existing(String containerId, String verb) {
    ManagedContainer c = containers.get(containerId);
    if (c == null) {
      throw new RuntimeFailure(
          "refusing to " + verb + " container " + containerId + ": it is gone");
    }
    return c;
  }

  private ManagedContainer withState(ManagedContainer c, String state, boolean started) {
    return new ManagedContainer(
        c.id(),
        c.name(),
        c.app(),
        c.instance(),
        c.image(),
        c.version(),
        c.revision(),
        c.specHash(),
        state,
        c.exitCode(),
        c.restartCount(),
        started ? Instant.EPOCH.plusSeconds(++starts) : c.startedAt(),
        c.ipAddress());
  }
}
