package ogp.reconciler.control;

import java.time.Instant;
import java.util.List;

/**
 * The applied revision and the state of fetching, as {@code GET /api/v1/revision} and the watch's
 * {@code Revision} object show it.
 *
 * @param invalid the newest revision that failed validation, or null
 */
public record RevisionSummary(
    String revision,
    String subject,
    String author,
    Instant appliedAt,
    Instant lastFetch,
    String lastFetchError,
    Invalid invalid) {

  /** A rejected revision: who made it and why it is not applied. */
  public record Invalid(String revision, String author, String subject, List<String> errors) {}

  /**
   * The same without the time of the last fetch, which changes with every poll: the watch's
   * Revision object, so that a poll that found nothing new is not a change.
   */
  public RevisionSummary withoutFetchTime() {
    return new RevisionSummary(revision, subject, author, appliedAt, null, lastFetchError, invalid);
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
                bad.errors().stream().map(Object::toString).toList()));
  }
}
