package ogp.reconciler.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import ogp.protocol.v1.StatusReport;
import ogp.reconciler.agents.AgentServer;
import ogp.reconciler.agents.HostRecord;
import ogp.reconciler.control.ReconcilerObserver;

/**
 * The control loop's meters, in Prometheus naming (Micrometer adds the unit and {@code _total}):
 *
 * <ul>
 *   <li>{@code ogp_agents_connected} (gauge), {@code ogp_agent_heartbeats_total}, {@code
 *       ogp_agent_reports_total};
 *   <li>{@code ogp_reconcile_duration_seconds} (timer per host step), {@code
 *       ogp_reconcile_errors_total};
 *   <li>{@code ogp_assignments_sent_total} and {@code ogp_assignment_report_latency_seconds}: from
 *       handing an assignment to a host's connection to the first report of that generation;
 *   <li>{@code ogp_git_fetch_duration_seconds}, {@code ogp_git_fetch_errors_total}, {@code
 *       ogp_git_polls_total{result=changed|unchanged|failed}};
 *   <li>{@code ogp_loop_failures_total}, {@code ogp_change_writer_failures_total}: throwables a
 *       background loop caught and survived (each is also logged).
 * </ul>
 *
 * Gauges read the agent server at scrape time; nothing here runs on a Netty event loop.
 */
public final class ReconcilerMeters implements ReconcilerObserver {
  private final Timer reconcileDuration;
  private final Counter reconcileErrors;
  private final Counter assignmentsSent;
  private final Counter reports;
  private final Timer reportLatency;
  private final Timer fetchDuration;
  private final Counter fetchErrors;
  private final Map<FetchOutcome, Counter> polls = new EnumMap<>(FetchOutcome.class);

  /** Per host: generation and send time of the last assignment whose report is awaited. */
  private final Map<String, long[]> awaiting = new ConcurrentHashMap<>();

  /**
   * @param loopFailures throwables the control loop's workers survived ({@code
   *     Reconciler#loopFailures})
   * @param writerFailures throwables the change writer survived ({@code
   *     ChangeService#writerFailures})
   */
  public ReconcilerMeters(
      AgentServer agents,
      LongSupplier loopFailures,
      LongSupplier writerFailures,
      MeterRegistry meters) {
    FunctionCounter.builder("ogp.loop.failures", loopFailures, LongSupplier::getAsLong)
        .description("Throwables the control loop's workers caught, logged and survived")
        .register(meters);
    FunctionCounter.builder("ogp.change.writer.failures", writerFailures, LongSupplier::getAsLong)
        .description("Throwables the change writer caught, logged and survived")
        .register(meters);
    Gauge.builder(
            "ogp.agents.connected",
            agents,
            a -> a.hosts().stream().filter(HostRecord::connected).count())
        .description("Agents with a live connection")
        .register(meters);
    FunctionCounter.builder("ogp.agent.heartbeats", agents, AgentServer::heartbeatsReceived)
        .description("Heartbeats received from agents")
        .register(meters);
    reports =
        Counter.builder("ogp.agent.reports")
            .description("Status reports received from agents")
            .register(meters);
    reconcileDuration =
        Timer.builder("ogp.reconcile.duration")
            .description("One reconcile step of one host")
            .register(meters);
    reconcileErrors =
        Counter.builder("ogp.reconcile.errors")
            .description("Reconcile steps that failed")
            .register(meters);
    assignmentsSent =
        Counter.builder("ogp.assignments.sent")
            .description("Assignments handed to agent connections")
            .register(meters);
    reportLatency =
        Timer.builder("ogp.assignment.report.latency")
            .description("From sending an assignment to the agent's first report of it")
            .register(meters);
    fetchDuration =
        Timer.builder("ogp.git.fetch.duration")
            .description("Polls and fetches of the desired-state repository")
            .register(meters);
    fetchErrors =
        Counter.builder("ogp.git.fetch.errors").description("Fetches that failed").register(meters);
    for (FetchOutcome o : FetchOutcome.values()) {
      polls.put(
          o,
          Counter.builder("ogp.git.polls")
              .tag("result", o.name().toLowerCase(Locale.ROOT))
              .description("Polls of the repository by result")
              .register(meters));
    }
  }

  @Override
  public void fetched(FetchOutcome outcome, Duration took) {
    fetchDuration.record(took);
    polls.get(outcome).increment();
    if (outcome == FetchOutcome.FAILED) fetchErrors.increment();
  }

  @Override
  public void reconciled(String hostId, Duration took, boolean failed) {
    reconcileDuration.record(took);
    if (failed) reconcileErrors.increment();
  }

  @Override
  public void assignmentSent(String hostId, long generation) {
    assignmentsSent.increment();
    awaiting.put(hostId, new long[] {generation, System.nanoTime()});
  }

  @Override
  public void reportReceived(String hostId, StatusReport report) {
    reports.increment();
    awaiting.computeIfPresent(
        hostId,
        (id, sent) -> {
          if (report.getGeneration() < sent[0]) return sent; // still an older assignment's report
          reportLatency.record(Duration.ofNanos(System.nanoTime() - sent[1]));
          return null;
        });
  }

  @Override
  public void hostDisconnected(String hostId) {
    awaiting.remove(hostId);
  }
}
