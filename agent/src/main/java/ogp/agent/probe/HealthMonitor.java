package ogp.agent.probe;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import ogp.agent.runtime.ContainerRuntime;
import ogp.agent.runtime.ManagedContainer;
import ogp.agent.runtime.RuntimeFailure;
import ogp.protocol.LoopGuard;
import ogp.protocol.v1.ContainerStatus.Health;
import ogp.protocol.v1.HealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes the containers it is told to {@link #watch} and keeps each one's {@link HealthRecord}.
 *
 * <p>Policy: each watched container is probed at once and then every {@code interval} (fixed delay,
 * so a slow probe never overlaps itself), each probe bounded by {@code timeout}. Unlike Docker the
 * first probe is not delayed by one interval, so a restarted agent reports the health of adopted
 * containers within moments. A container that is not running is not probed; when it runs again
 * (another start time) its health starts over as STARTING, as in Docker. The monitor never acts on
 * health: it only reports it.
 *
 * <p>Threads: probes run on the given scheduler (never on a network event loop); {@link #watch} and
 * {@link #health} may be called from any thread.
 */
public final class HealthMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

  private final ContainerRuntime runtime;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Clock clock;
  private final HttpClient http;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();

  /** One watched container; its record is only written by its own probe task, one at a time. */
  private static final class Watch {
    final HealthCheck check;
    final Probe probe;
    final ProbeSettings settings;
    volatile HealthRecord record = HealthRecord.starting(null);
    volatile ScheduledFuture<?> task;

    Watch(HealthCheck check, Probe probe) {
      this.check = check;
      this.probe = probe;
      this.settings = ProbeSettings.of(check);
    }
  }

  /**
   * @param scheduler runs the probes; a probe blocks a thread for at most its timeout
   * @param clock the time start periods are measured with
   */
  public HealthMonitor(ContainerRuntime runtime, ScheduledExecutorService scheduler, Clock clock) {
    this(runtime, scheduler, false, clock);
  }

  private HealthMonitor(
      ContainerRuntime runtime,
      ScheduledExecutorService scheduler,
      boolean ownsScheduler,
      Clock clock) {
    this.runtime = Objects.requireNonNull(runtime);
    this.scheduler = Objects.requireNonNull(scheduler);
    this.ownsScheduler = ownsScheduler;
    this.clock = Objects.requireNonNull(clock);
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * A monitor on its own two daemon threads, shut down by {@link #close()}.
   *
   * @param clock the agent's one clock: probe timings and health records read it
   */
  public static HealthMonitor start(ContainerRuntime runtime, Clock clock) {
    AtomicInteger n = new AtomicInteger();
    ScheduledExecutorService scheduler =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread thread = new Thread(r, "ogp-health-" + n.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    return new HealthMonitor(runtime, scheduler, true, clock);
  }

  /**
   * Makes {@code checks} (container id → its check) the complete set of watched containers: new
   * ones start being probed, gone ones stop, a changed check starts over.
   */
  public synchronized void watch(Map<String, HealthCheck> checks) {
    watches
        .entrySet()
        .removeIf(
            entry -> {
              HealthCheck wanted = checks.get(entry.getKey());
              boolean drop = wanted == null || !wanted.equals(entry.getValue().check);
              if (drop) {
                entry.getValue().task.cancel(false);
              }
              return drop;
            });
    checks.forEach(
        (containerId, check) -> {
          if (!watches.containsKey(containerId)) {
            Watch watch = new Watch(check, Probe.of(check, http, runtime));
            watches.put(containerId, watch);
            watch.task =
                scheduler.scheduleWithFixedDelay(
                    () -> probe(containerId, watch),
                    0,
                    watch.settings.interval().toMillis(),
                    TimeUnit.MILLISECONDS);
          }
        });
  }

  /** The container's health; HEALTH_UNSPECIFIED when it has no check (is not watched). */
  public Health health(String containerId) {
    Watch watch = watches.get(containerId);
    return watch == null ? Health.HEALTH_UNSPECIFIED : watch.record.health();
  }

  /** The full record, e.g. for the last probe's detail. */
  public Optional<HealthRecord> record(String containerId) {
    return Optional.ofNullable(watches.get(containerId)).map(w -> w.record);
  }

  private void probe(String containerId, Watch watch) {
    try {
      Optional<ManagedContainer> container = runtime.inspect(containerId);
      if (container.isEmpty()) {
        return; // gone: the converger stops watching it on its next pass
      }
      ManagedContainer current = container.get();
      if (!Objects.equals(current.startedAt(), watch.record.startedAt())
          || !current.state().equals("running")) {
        watch.record = HealthRecord.starting(current.startedAt());
      }
      if (!current.state().equals("running")) {
        return;
      }
      ProbeResult result =
          watch.probe.check(
              new ProbeTarget(containerId, current.ipAddress()), watch.settings.timeout());
      HealthRecord before = watch.record;
      watch.record =
          before.after(
              result, clock.instant(), watch.settings.retries(), watch.settings.startPeriod());
      if (watch.record.health() != before.health()) {
        log.info("container {} is {}: {}", current.name(), watch.record.health(), result.detail());
      }
    } catch (RuntimeFailure e) {
      // The engine is unreachable: no new evidence either way, keep the last verdict.
      log.debug("health probe of {} skipped: {}", containerId, e.getMessage());
    } catch (RuntimeException e) {
      // Never let one failure cancel the periodic task.
      log.warn("health probe of {} failed", containerId, e);
    } catch (Throwable t) {
      LoopGuard.survived("the health probe of " + containerId, t);
    }
  }

  @Override
  public synchronized void close() {
    watches.values().forEach(w -> w.task.cancel(false));
    watches.clear();
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }
}
