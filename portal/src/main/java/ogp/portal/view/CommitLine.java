package ogp.portal.view;

import ogp.reconciler.changes.HistoryEntry;

/** A commit as one line: short sha (full sha in the tooltip), author, subject, age. */
public record CommitLine(
    String sha, String shortSha, String author, String subject, String age, String exactTime) {
  /** A commit of an app's history. */
  public static CommitLine of(HistoryEntry e, Ages ages) {
    return new CommitLine(
        e.sha(),
        shortSha(e.sha()),
        e.authorName(),
        e.subject(),
        ages.ago(e.date()),
        Ages.exact(e.date()));
  }

  public static String shortSha(String sha) {
    return sha == null ? "" : sha.length() > 8 ? sha.substring(0, 8) : sha;
  }
}
