package ogp.cli;

import com.github.dockerjava.api.model.Container;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import ogp.agent.runtime.OgpLabels;

/**
 * Samples the containers of one app on a test fleet (several hosts sharing the real engine, told
 * apart by {@link OgpLabels#SCOPE_HOST}) every 50 ms for as long as a fault test runs, so that what
 * a fault may have cost — a container lost, a host replaced twice, a version that should never have
 * run — is checked at every moment and not only at the end.
 *
 * <p>It keeps runs of equal samples (the state and the first and last time it was seen), not every
 * sample: a quiet fleet adds nothing; at most {@value #MAX_RUNS} runs are kept, beyond which it
 * stops recording and every query fails (a test that changes its fleet that often is broken).
 */
final class FleetSampler implements AutoCloseable {
  static final int MAX_RUNS = 10_000;
  private static final long PERIOD_MILLIS = 50;

  /** One container as a sample saw it. */
  record Seen(String id, String version, String revision, String state) {
    boolean running() {
      return "running".equals(state);
    }

    @Override
    public String toString() {
      return version + "/" + state + "/" + id.substring(0, 12);
    }
  }

  /** The same fleet state from {@code firstNanos} to {@code lastNanos}. */
  record Run(long firstNanos, long lastNanos, Map<String, List<Seen>> byHost) {}

  private final List<String> hosts;
  private final Supplier<List<Container>> containers;
  private final List<Run> runs = new ArrayList<>(); // guarded by this
  private boolean overflowed; // guarded by this
  private volatile boolean stop;
  private final Thread thread;

  /**
   * Starts sampling {@code containers} (the app's containers, all states) for {@code hosts}.
   *
   * @param containers lists the app's containers; called on the sampler's thread
   */
  FleetSampler(List<String> hosts, Supplier<List<Container>> containers) {
    this.hosts = List.copyOf(hosts);
    this.containers = containers;
    this.thread = new Thread(this::sampleUntilClosed, "fleet-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void sampleUntilClosed() {
    while (!stop) {
      try {
        record(System.nanoTime(), group(containers.get()));
        Thread.sleep(PERIOD_MILLIS); // the sampling period, not a wait for an outcome
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // the engine may be briefly busy during a fault: sample again
      }
    }
  }

  private Map<String, List<Seen>> group(List<Container> all) {
    Map<String, List<Seen>> byHost = new TreeMap<>();
    hosts.forEach(h -> byHost.put(h, new ArrayList<>()));
    for (Container c : all) {
      List<Seen> onHost = byHost.get(c.getLabels().get(OgpLabels.SCOPE_HOST));
      if (onHost == null) continue;
      onHost.add(
          new Seen(
              c.getId(),
              c.getLabels().get(OgpLabels.VERSION),
              c.getLabels().get(OgpLabels.REVISION),
              c.getState()));
    }
    byHost.values().forEach(l -> l.sort(Comparator.comparing(Seen::id)));
    return byHost;
  }

  private synchronized void record(long now, Map<String, List<Seen>> byHost) {
    if (overflowed) return;
    if (!runs.isEmpty() && runs.get(runs.size() - 1).byHost().equals(byHost)) {
      Run last = runs.remove(runs.size() - 1);
      runs.add(new Run(last.firstNanos(), now, byHost));
      return;
    }
    if (runs.size() == MAX_RUNS) {
      overflowed = true;
      return;
    }
    runs.add(new Run(now, now, byHost));
  }

  private synchronized List<Run> runs() {
    if (overflowed)
      throw new IllegalStateException("the fleet changed more than " + MAX_RUNS + " times");
    if (runs.isEmpty()) throw new IllegalStateException("the sampler saw nothing yet");
    return List.copyOf(runs);
  }

  /** The distinct containers of {@code version} ever seen on {@code host}. */
  Set<String> containersOf(String host, String version) {
    return runs().stream()
        .flatMap(r -> r.byHost().get(host).stream())
        .filter(s -> version.equals(s.version()))
        .map(Seen::id)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Whether a container of {@code version} was ever seen, in any state, on any host. */
  boolean everSeen(String version) {
    return runs().stream()
        .flatMap(r -> r.byHost().values().stream().flatMap(List::stream))
        .anyMatch(s -> version.equals(s.version()));
  }

  /** The most hosts that ran no container of the app at one moment. */
  int mostHostsWithoutARunningContainer() {
    return runs().stream().mapToInt(FleetSampler::hostsWithoutRunning).max().orElse(0);
  }

  /** The most containers of the app running on one host at one moment. */
  int mostRunningOnOneHost() {
    return runs().stream()
        .flatMap(r -> r.byHost().values().stream())
        .mapToInt(l -> (int) l.stream().filter(Seen::running).count())
        .max()
        .orElse(0);
  }

  /**
   * The first state seen between {@code fromNanos} and {@code toNanos} in which a host did not run
   * exactly its container of {@code kept} (host to container id), described; empty when every host
   * ran its container, and nothing else, at every sample of that time.
   */
  Optional<String> firstStateNotKeeping(Map<String, String> kept, long fromNanos, long toNanos) {
    for (Run r : runs()) {
      if (r.lastNanos() < fromNanos || r.firstNanos() > toNanos) continue;
      for (Map.Entry<String, String> host : kept.entrySet()) {
        List<Seen> seen = r.byHost().get(host.getKey());
        if (seen.size() != 1 || !seen.get(0).running() || !seen.get(0).id().equals(host.getValue()))
          return Optional.of(host.getKey() + " had " + seen + " in " + r.byHost());
      }
    }
    return Optional.empty();
  }

  /** The distinct states in order, for failure messages. */
  String history() {
    return runs().stream().map(r -> r.byHost().toString()).collect(Collectors.joining("\n"));
  }

  private static int hostsWithoutRunning(Run r) {
    return (int)
        r.byHost().values().stream().filter(l -> l.stream().noneMatch(Seen::running)).count();
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.interrupt();
    thread.join(5_000);
  }
}
