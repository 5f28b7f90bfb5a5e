package ogp.portal.changes;

import java.time.Instant;

/**
 * One commit that changed an app, newest first in a history.
 *
 * @param versionBefore the app's version before the commit, null when the commit created the app
 * @param versionAfter the app's version after it, null when the commit removed the app
 */
public record HistoryEntry(
    String sha, String author, Instant date, String subject, String versionBefore, String versionAfter) {

  public String shortSha() {
    return sha.length() > 8 ? sha.substring(0, 8) : sha;
  }
}
