package ogp.reconciler.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.StatusReport;

/**
 * Derives container events from two consecutive status reports of one host. Pure.
 *
 * <p>Policy, per container key (app and instance):
 *
 * <ul>
 *   <li>a new last error: {@code PullFailed} when it is a pull's error, else {@code
 *       ContainerFailed};
 *   <li>a running container with a new id: {@code ContainerReplaced} when its spec changed (a new
 *       assignment), {@code DriftRepaired} when the spec is the same (recreated without one),
 *       {@code ContainerStarted} when there was no container before;
 *   <li>the same container running again: {@code ContainerStarted} after {@code created}, {@code
 *       DriftRepaired} after any other stopped state (someone stopped it, the agent repaired it);
 *   <li>a running container that stopped, without a new error: {@code ContainerFailed};
 *   <li>a key with a container that is gone from the report: {@code ContainerRemoved}.
 * </ul>
 *
 * Reports are coalesced upstream, so intermediate states may be skipped; the events describe the
 * difference between what was seen, never guesses about what was not.
 */
final class ReportChanges {
  private static final String RUNNING = "running";

  /** The agent's Docker runtime prefixes the error of a failed pull with this. */
  private static final String PULL_ERROR_PREFIX = "pull ";

  private ReportChanges() {}

  public static List<Event> between(
      String host, StatusReport previous, StatusReport current, Instant at) {
    Map<String, ContainerStatus> before = byKey(previous);
    Map<String, ContainerStatus> after = byKey(current);
    Set<String> keys = new LinkedHashSet<>(before.keySet());
    keys.addAll(after.keySet());
    List<Event> events = new ArrayList<>();
    for (String key : keys) {
      ContainerStatus p = before.get(key);
      ContainerStatus n = after.get(key);
      if (n == null) {
        if (!p.getContainerId().isEmpty()) {
          events.add(
              event(
                  EventReason.CONTAINER_REMOVED,
                  host,
                  p,
                  at,
                  key + " " + p.getVersion() + " removed"));
        }
        continue;
      }
      change(host, key, p, n, at, events);
    }
    return events;
  }

  private static void change(
      String host,
      String key,
      ContainerStatus p,
      ContainerStatus n,
      Instant at,
      List<Event> events) {
    boolean newError =
        !n.getLastError().isEmpty() && (p == null || !n.getLastError().equals(p.getLastError()));
    if (newError) {
      EventReason reason =
          n.getLastError().startsWith(PULL_ERROR_PREFIX)
              ? EventReason.PULL_FAILED
              : EventReason.CONTAINER_FAILED;
      events.add(event(reason, host, n, at, key + " " + n.getVersion() + ": " + n.getLastError()));
    }
    boolean running = RUNNING.equals(n.getState()) && !n.getContainerId().isEmpty();
    boolean wasRunning = p != null && RUNNING.equals(p.getState());
    boolean sameContainer = p != null && p.getContainerId().equals(n.getContainerId());
    if (running && !sameContainer) {
      if (p == null || p.getContainerId().isEmpty()) {
        events.add(
            event(
                EventReason.CONTAINER_STARTED,
                host,
                n,
                at,
                key + " " + n.getVersion() + " started"));
      } else if (p.getSpecHash().equals(n.getSpecHash())) {
        events.add(
            event(
                EventReason.DRIFT_REPAIRED,
                host,
                n,
                at,
                key + " " + n.getVersion() + " recreated (was " + p.getState() + ")"));
      } else {
        events.add(
            event(
                EventReason.CONTAINER_REPLACED,
                host,
                n,
                at,
                key + " " + p.getVersion() + " -> " + n.getVersion()));
      }
    } else if (running && !wasRunning) {
      EventReason reason =
          "created".equals(p.getState())
              ? EventReason.CONTAINER_STARTED
              : EventReason.DRIFT_REPAIRED;
      events.add(
          event(
              reason,
              host,
              n,
              at,
              key + " " + n.getVersion() + " running again (was " + p.getState() + ")"));
    } else if (!running && wasRunning && sameContainer && !newError) {
      events.add(
          event(
              EventReason.CONTAINER_FAILED,
              host,
              n,
              at,
              key
                  + " "
                  + n.getVersion()
                  + " "
                  + n.getState()
                  + " (exit code "
                  + n.getExitCode()
                  + ")"));
    }
  }

  /** The container per key; when a key has several (mid-replacement), the running one wins. */
  private static Map<String, ContainerStatus> byKey(StatusReport report) {
    Map<String, ContainerStatus> byKey = new LinkedHashMap<>();
    if (report == null) return byKey;
    for (ContainerStatus c : report.getContainersList()) {
      byKey.merge(
          c.getApp() + "#" + c.getInstance(), c, (a, b) -> RUNNING.equals(b.getState()) ? b : a);
    }
    return byKey;
  }

  private static Event event(
      EventReason reason, String host, ContainerStatus c, Instant at, String message) {
    return new Event(
        at,
        reason,
        c.getApp(),
        host,
        c.getRevision().isEmpty() ? null : c.getRevision(),
        null,
        message,
        List.of());
  }
}
