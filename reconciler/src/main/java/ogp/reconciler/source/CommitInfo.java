package ogp.reconciler.source;

import java.time.Instant;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Who made a commit, when, and its subject line: what the API and the portal show next to a
 * revision.
 */
public record CommitInfo(
    String sha, String authorName, String authorEmail, Instant time, String subject) {

  /**
   * Reads the author (not the committer: the author is who asked for the change) of a parsed
   * commit.
   */
  public static CommitInfo of(RevCommit commit) {
    PersonIdent author = commit.getAuthorIdent();
    return new CommitInfo(
        commit.getName(),
        author.getName(),
        author.getEmailAddress(),
        author.getWhenAsInstant(),
        commit.getShortMessage());
  }
}
