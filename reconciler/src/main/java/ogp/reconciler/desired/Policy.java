package ogp.reconciler.desired;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * The fleet policy of a revision: the file {@code ogp.yaml} ({@code kind: Policy}) at the
 * desired-state root (SPEC §8), reviewed and merged like every app file. Without the file every
 * setting has its default ({@link #DEFAULT}). Later settings (host policy, deploy windows) are
 * further components of this record, read by {@link PolicyReader}.
 *
 * @param massRemoval when a revision that would remove many containers is held for confirmation
 */
public record Policy(MassRemoval massRemoval) {
  /** The policy of a revision without {@code ogp.yaml}. */
  public static final Policy DEFAULT = new Policy(MassRemoval.DEFAULT);

  public Policy {
    Objects.requireNonNull(massRemoval, "massRemoval");
  }

  /**
   * {@code massRemoval: {threshold: 50%}}: a revision that would remove more than this share of the
   * containers the applied revision places is held until an admin confirms it; {@code threshold:
   * off} never holds.
   *
   * @param thresholdPercent the share, 0-100; empty when off
   */
  public record MassRemoval(OptionalInt thresholdPercent) {
    /** The share held by default: more than half of the fleet's containers. */
    public static final int DEFAULT_PERCENT = 50;

    public static final MassRemoval DEFAULT = percent(DEFAULT_PERCENT);
    public static final MassRemoval OFF = new MassRemoval(OptionalInt.empty());

    public MassRemoval {
      Objects.requireNonNull(thresholdPercent, "thresholdPercent");
      thresholdPercent.ifPresent(
          p -> {
            if (p < 0 || p > 100) throw new IllegalArgumentException("threshold must be 0-100");
          });
    }

    public static MassRemoval percent(int percent) {
      return new MassRemoval(OptionalInt.of(percent));
    }

    /** Whether no revision is ever held. */
    public boolean off() {
      return thresholdPercent.isEmpty();
    }

    /** As written in {@code ogp.yaml}: {@code 50%} or {@code off}. */
    @Override
    public String toString() {
      return off() ? "off" : thresholdPercent.getAsInt() + "%";
    }
  }
}
