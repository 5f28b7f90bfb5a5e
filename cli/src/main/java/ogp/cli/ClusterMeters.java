package ogp.cli;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import ogp.reconciler.agents.ParkedAgentCounts;

/**
 * The meters of a server's part in its cluster, bound to the registry of whatever serves {@code
 * /metrics} (a leader's server, a standby's front): {@value #LEADER} (1 while this replica may
 * command, else 0), {@value #LEADER_CHANGES} (leaders this replica saw come and go) and {@value
 * #FENCED_COMMANDS} (command frames dropped because this replica no longer led); on a replica also
 * the agents its standby agent port holds until the leader's agent port answers: {@value
 * #PARKED_AGENTS} now, and {@value #PARKED_AGENTS_ENDED} by how they ended ({@code outcome}: {@code
 * redirected} once the leader answered, {@code timed_out} at the bound, {@code closed} unanswered,
 * {@code over_cap} never parked, told NOT_LEADER). A single server leads for ever and sees no
 * change. Values are read at each scrape from suppliers this object holds (Micrometer keeps only
 * weak references to them: keep this object as long as its registries), so a replica's counts
 * survive the restarts of its server between leading and standing by.
 */
final class ClusterMeters {
  static final String LEADER = "ogp_leader";
  static final String LEADER_CHANGES = "ogp_leader_changes_total";
  static final String FENCED_COMMANDS = "ogp_fenced_commands_total";
  static final String PARKED_AGENTS = "ogp_parked_agents";
  static final String PARKED_AGENTS_ENDED = "ogp_parked_agents_ended_total";

  private final BooleanSupplier leading;
  private final LongSupplier leaderChanges;
  private final LongSupplier fencedCommands;
  private final ParkedAgentCounts parkedOrNull;

  /** A server without a standby agent port (a single server, the warm-up). */
  ClusterMeters(BooleanSupplier leading, LongSupplier leaderChanges, LongSupplier fencedCommands) {
    this(leading, leaderChanges, fencedCommands, null);
  }

  /** A replica, whose standby agent ports add to {@code parked}. */
  ClusterMeters(
      BooleanSupplier leading,
      LongSupplier leaderChanges,
      LongSupplier fencedCommands,
      ParkedAgentCounts parked) {
    this.leading = Objects.requireNonNull(leading, "leading");
    this.leaderChanges = Objects.requireNonNull(leaderChanges, "leaderChanges");
    this.fencedCommands = Objects.requireNonNull(fencedCommands, "fencedCommands");
    this.parkedOrNull = parked;
  }

  /** A single server: leads, no changes, the fenced count of its agent server. */
  static ClusterMeters single(LongSupplier fencedCommands) {
    return new ClusterMeters(() -> true, () -> 0, fencedCommands);
  }

  void bindTo(MeterRegistry registry) {
    Gauge.builder(LEADER, leading, l -> l.getAsBoolean() ? 1 : 0)
        .description("1 while this replica leads and may command, else 0")
        .register(registry);
    FunctionCounter.builder(LEADER_CHANGES, leaderChanges, LongSupplier::getAsLong)
        .description("Leader changes this replica saw")
        .register(registry);
    FunctionCounter.builder(FENCED_COMMANDS, fencedCommands, LongSupplier::getAsLong)
        .description("Command frames dropped because this replica no longer led")
        .register(registry);
    if (parkedOrNull == null) return;
    ParkedAgentCounts parked = parkedOrNull;
    Gauge.builder(PARKED_AGENTS, parked, ParkedAgentCounts::parkedNow)
        .description(
            "Agent connections this replica's standby agent port holds until the leader's agent"
                + " port answers")
        .register(registry);
    outcome(registry, parked, "redirected", ParkedAgentCounts::redirectedAfterWait);
    outcome(registry, parked, "timed_out", ParkedAgentCounts::timedOut);
    outcome(registry, parked, "closed", ParkedAgentCounts::closed);
    outcome(registry, parked, "over_cap", ParkedAgentCounts::refusedOverCap);
  }

  private static void outcome(
      MeterRegistry registry,
      ParkedAgentCounts parked,
      String outcome,
      ToDoubleFunction<ParkedAgentCounts> count) {
    FunctionCounter.builder(PARKED_AGENTS_ENDED, parked, count)
        .description(
            "Agent connections a standby agent port would hold, by how that ended: redirected"
                + " once the leader answered, timed_out at the bound, closed unanswered, over_cap"
                + " (not held, NOT_LEADER)")
        .tag("outcome", outcome)
        .register(registry);
  }
}
