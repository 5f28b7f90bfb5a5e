package ogp.cli;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The meters of a server's part in its cluster, bound to the registry of whatever serves {@code
 * /metrics} (a leader's server, a standby's front): {@value #LEADER} (1 while this replica may
 * command, else 0), {@value #LEADER_CHANGES} (leaders this replica saw come and go) and {@value
 * #FENCED_COMMANDS} (command frames dropped because this replica no longer led). A single server
 * leads for ever and sees no change. Values are read at each scrape from suppliers this object
 * holds (Micrometer keeps only weak references to them: keep this object as long as its
 * registries), so a replica's counts survive the restarts of its server between leading and
 * standing by.
 */
final class ClusterMeters {
  static final String LEADER = "ogp_leader";
  static final String LEADER_CHANGES = "ogp_leader_changes_total";
  static final String FENCED_COMMANDS = "ogp_fenced_commands_total";

  private final BooleanSupplier leading;
  private final LongSupplier leaderChanges;
  private final LongSupplier fencedCommands;

  ClusterMeters(BooleanSupplier leading, LongSupplier leaderChanges, LongSupplier fencedCommands) {
    this.leading = Objects.requireNonNull(leading, "leading");
    this.leaderChanges = Objects.requireNonNull(leaderChanges, "leaderChanges");
    this.fencedCommands = Objects.requireNonNull(fencedCommands, "fencedCommands");
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
  }
}
