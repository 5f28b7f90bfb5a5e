package ogp.reconciler.plan;

import java.util.List;

/**
 * Where one app's health-gated rollout of its current version stands (SPEC §2 {@code update}), as
 * the API shows it.
 *
 * @param version the version being rolled out (the desired one)
 * @param phase {@code Progressing} while hosts are still to be updated, {@code Failed} once a host
 *     was not healthy by the deadline (no further host is updated), {@code Complete} when every
 *     connected host runs the version and was healthy
 * @param maxParallel hosts between replacement and healthy at once; 0 = all at once
 * @param updated hosts that run the version and were healthy on it
 * @param updating hosts given the version and not healthy yet, within the deadline
 * @param waiting hosts kept on what they run until the rollout reaches them
 * @param failed hosts given the version that were not healthy within the deadline
 * @param message one sentence for people, e.g. why the rollout stopped
 */
public record RolloutStatus(
    String version,
    String phase,
    int maxParallel,
    List<String> updated,
    List<String> updating,
    List<String> waiting,
    List<String> failed,
    String message) {
  public static final String PROGRESSING = "Progressing";
  public static final String FAILED = "Failed";
  public static final String COMPLETE = "Complete";

  public RolloutStatus {
    updated = List.copyOf(updated);
    updating = List.copyOf(updating);
    waiting = List.copyOf(waiting);
    failed = List.copyOf(failed);
  }

  public boolean hasFailed() {
    return FAILED.equals(phase);
  }
}
