package ogp.reconciler.changes;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.source.GitSourceException;
import ogp.reconciler.source.Redaction;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;

/**
 * The followed branch on the remote, as the change service sees it: read its tip, and move it from
 * an expected commit to a new one.
 *
 * <p>Fetch policy: the tip is fetched into the mirror's object database with a refspec that has no
 * destination, so no ref of the mirror moves and its snapshot bookkeeping is undisturbed (its next
 * poll finds the objects present and only moves its ref). Fetches take turns with the mirror's own
 * on its fetch lock (see {@link GitMirror}); pushes take no lock. Every network read is bounded by
 * the mirror's transport timeout.
 *
 * <p>Publish policy: a push carries the expected old id; a rejection because the branch moved is
 * {@link Outcome#MOVED} (the caller re-applies on the new tip), every other rejection is reported.
 * A local, non-bare repository with the branch checked out (what {@code ogp dev} follows) is not
 * pushed to: JGit's receive-pack ignores {@code receive.denyCurrentBranch} and would leave the
 * user's working tree stale, so {@link CheckedOutBranch} commits there like {@code git push} with
 * {@code updateInstead}.
 */
class FollowedBranch {
  enum Outcome {
    LANDED,
    MOVED
  }

  private final GitMirror mirror;
  private final GitRemote remote;

  FollowedBranch(GitMirror mirror) {
    this.mirror = mirror;
    this.remote = mirror.remote();
  }

  String name() {
    return remote.branch();
  }

  /** Fetches the branch tip into the mirror's object database and returns it. */
  ObjectId fetchTip() {
    return mirror.fetchObjects(remote.branchRef());
  }

  /**
   * Moves the branch from {@code expected} to {@code commit} (a commit in the mirror whose parent
   * is {@code expected}).
   */
  Outcome publish(ObjectId expected, ObjectId commit) {
    Optional<File> checkedOut = checkedOutWorkTree();
    if (checkedOut.isPresent()) {
      return new CheckedOutBranch(checkedOut.get(), remote.branchRef())
          .publish(mirror.repository(), expected, commit);
    }
    try (Transport transport = mirror.openTransport()) {
      RemoteRefUpdate update =
          new RemoteRefUpdate(
              mirror.repository(),
              commit.name(),
              commit,
              remote.branchRef(),
              false,
              null,
              expected);
      PushResult result = transport.push(NullProgressMonitor.INSTANCE, List.of(update));
      RemoteRefUpdate status = result.getRemoteUpdate(remote.branchRef());
      // PushCommand and Transport.push report rejections in the status instead of throwing.
      return switch (status.getStatus()) {
        case OK -> Outcome.LANDED;
        case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> Outcome.MOVED;
        case REJECTED_OTHER_REASON -> {
          String why = String.valueOf(status.getMessage());
          // Two pushes racing on one ref: the loser's ref lock fails; that is the branch moving
          // too.
          // JGit says "lock fail"; C git's receive-pack (git daemon, GitLab, Gitea...) says "failed
          // to
          // update ref" when the ref is no longer at the expected old value.
          String lower = why.toLowerCase(java.util.Locale.ROOT);
          if (lower.contains("lock") || lower.contains("failed to update ref")) yield Outcome.MOVED;
          throw new ChangeRefused(
              "The remote refused the push to "
                  + remote.branch()
                  + ": "
                  + Redaction.scrub(why, remote.credentials().secrets()));
        }
        default ->
            throw new ChangeRefused(
                "The push to "
                    + remote.branch()
                    + " of "
                    + remote.redactedUrl()
                    + " did not land ("
                    + status.getStatus()
                    + ").");
      };
    } catch (IOException e) {
      throw failure("Cannot push to branch " + remote.branch() + " of " + remote.redactedUrl(), e);
    }
  }

  /**
   * The working tree of the remote when it is a local non-bare repository with the branch checked
   * out.
   */
  private Optional<File> checkedOutWorkTree() {
    Optional<File> local = localPath(remote.url());
    if (local.isEmpty()) return Optional.empty();
    File gitDir = RepositoryCache.FileKey.resolve(local.get(), FS.DETECTED);
    if (gitDir == null) return Optional.empty();
    try (Repository target =
        new FileRepositoryBuilder().setGitDir(gitDir).setMustExist(true).build()) {
      if (target.isBare()) return Optional.empty();
      return remote.branchRef().equals(target.getFullBranch())
          ? Optional.of(target.getWorkTree())
          : Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Optional<File> localPath(String url) {
    try {
      URIish uri = new URIish(url);
      boolean local =
          uri.getScheme() == null ? uri.getHost() == null : uri.getScheme().equals("file");
      return local && uri.getPath() != null
          ? Optional.of(new File(uri.getPath()))
          : Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  private GitSourceException failure(String what, Exception error) {
    String reason =
        Redaction.scrub(String.valueOf(error.getMessage()), remote.credentials().secrets());
    // JGit puts the URL in front of transport errors; the sentence names it already.
    if (reason.startsWith(remote.url() + ": "))
      reason = reason.substring(remote.url().length() + 2);
    return new GitSourceException(what + ": " + reason.replace(remote.url(), remote.redactedUrl()));
  }
}
