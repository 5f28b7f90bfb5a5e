package ogp.reconciler.control;

import java.time.Instant;
import java.util.List;

/**
 * The applied revision and the state of fetching, as {@code GET /api/v1/revision} and the watch's
 * {@code Revision} object show it.
 *
 * @param invalid the newest revision that failed validation, or null
 * @param held the newest revision, valid but held until an admin confirms it, or null
 */
public record RevisionSummary(
    String revision,
    String subject,
    String author,
    Instant appliedAt,
    Instant lastFetch,
    String lastFetchError,
    Invalid invalid,
    Held held) {

  /** A rejected revision: who made it and why it is not applied. */
  public record Invalid(String revision, String author, String subject, List<String> errors) {}

  /**
   * A revision held because it would remove too many containers: who made it, how many it removes
   * of how many, and the reason in words ({@code would remove 1,240 of 1,300 containers (threshold
   * 50%)}). {@code POST /api/v1/revision/confirm} with this revision applies it.
   */
  public record Held(
      String revision,
      String author,
      String subject,
      long removes,
      long of,
      String threshold,
      String reason,
      Instant seenAt) {
    static Held of(HeldRevision held) {
      return new Held(
          held.revision(),
          held.commit().authorName() + " <" + held.commit().authorEmail() + ">",
          held.commit().subject(),
          held.check().removes(),
          held.check().of(),
          held.check().threshold().toString(),
          held.check().reason(),
          held.seenAt());
    }
  }

  /**
   * The same without the time of the last fetch, which changes with every poll: the watch's
   * Revision object, so that a poll that found nothing new is not a change.
   */
  public RevisionSummary withoutFetchTime() {
    return new RevisionSummary(
        revision, subject, author, appliedAt, null, lastFetchError, invalid, held);
  }

  public static RevisionSummary of(DesiredStateSource source) {
    AppliedRevision applied = source.applied().orElse(null);
    InvalidRevision bad = source.invalid().orElse(null);
    return new RevisionSummary(
        applied == null ? null : applied.revision(),
        applied == null ? null : applied.commit().subject(),
        applied == null ? null : applied.commit().authorName(),
        applied == null ? null : applied.appliedAt(),
        source.lastFetch().orElse(null),
        source.lastFetchError().orElse(null),
        bad == null
            ? null
            : new Invalid(
                bad.commit().sha(),
                bad.commit().authorName() + " <" + bad.commit().authorEmail() + ">",
                bad.commit().subject(),
                bad.errors().stream().map(Object::toString).toList()),
        source.held().map(Held::of).orElse(null));
  }
}
