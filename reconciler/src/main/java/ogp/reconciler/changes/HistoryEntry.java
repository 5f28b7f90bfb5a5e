package ogp.reconciler.changes;

import java.time.Instant;
import java.util.Optional;

/**
 * One commit that changed an app's document.
 *
 * @param path the app's file in that commit (where it was removed: in the parent)
 * @param versionBefore the app's version in the commit's first parent; empty when the app did not
 *     exist (or did not validate) there
 * @param versionAfter the app's version in the commit; empty when the commit removed it (or made it
 *     invalid)
 */
public record HistoryEntry(
    String sha,
    String authorName,
    String authorEmail,
    Instant date,
    String subject,
    String path,
    Optional<String> versionBefore,
    Optional<String> versionAfter) {}
