package ogp.reconciler.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * A Git repository with a working tree that tests commit to and use as the remote (by {@link
 * #url()}, {@link #path()} or served by {@link GitHttpServer}).
 *
 * <p>Policy: commits are deterministic: fixed author unless given, and a clock that advances one
 * second per commit from a fixed instant, so two commits never share a timestamp and a rewritten
 * history always gets new shas. The default branch is {@code main}.
 */
public final class TestRepo implements AutoCloseable {
  public static final String BRANCH = "main";
  public static final PersonIdent DEFAULT_AUTHOR =
      new PersonIdent("Test Author", "author@example.com");
  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  private final Path workTree;
  private final Git git;
  private int commits;

  private TestRepo(Path workTree, Git git) {
    this.workTree = workTree;
    this.git = git;
  }

  /** Initializes an empty repository with a working tree in {@code dir} (created if missing). */
  public static TestRepo create(Path dir) {
    try {
      Files.createDirectories(dir);
      return new TestRepo(
          dir, Git.init().setDirectory(dir.toFile()).setInitialBranch(BRANCH).call());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes (creating directories) the given files, relative path to UTF-8 content, and commits
   * them. Returns the sha.
   */
  public String commit(String message, Map<String, String> files) {
    return commitAs(DEFAULT_AUTHOR, message, files);
  }

  /**
   * Like {@link #commit(String, Map)} with the given author (name and email; the time is the
   * repository clock's).
   */
  public String commitAs(PersonIdent author, String message, Map<String, String> files) {
    try {
      for (Map.Entry<String, String> file : files.entrySet()) {
        Path target = workTree.resolve(file.getKey());
        Files.createDirectories(target.getParent());
        Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
        git.add().addFilepattern(file.getKey()).call();
      }
      return commitStaged(author, message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Removes the given files and commits the removal. Returns the sha. */
  public String delete(String message, String... paths) {
    try {
      for (String path : paths) {
        git.rm().addFilepattern(path).call();
      }
      return commitStaged(DEFAULT_AUTHOR, message);
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Moves {@code main} (and the working tree) back to {@code sha}, dropping later commits: what a
   * force-push does to a remote. Commit after it to rewrite history.
   */
  public void resetHard(String sha) {
    try {
      git.reset().setMode(ResetCommand.ResetType.HARD).setRef(sha).call();
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Pushes {@code main} to {@code url} (e.g. a {@link GitHttpServer} URL) with basic credentials;
   * {@code force} rewrites the remote branch. Fails unless the remote accepted the update.
   */
  public void pushTo(String url, String username, String password, boolean force) {
    try {
      Iterable<PushResult> results =
          git.push()
              .setRemote(url)
              .setRefSpecs(
                  new RefSpec(
                      (force ? "+" : "") + "refs/heads/" + BRANCH + ":refs/heads/" + BRANCH))
              .setCredentialsProvider(new UsernamePasswordCredentialsProvider(username, password))
              .call();
      for (PushResult result : results) {
        for (RemoteRefUpdate update : result.getRemoteUpdates()) {
          // PushCommand reports a rejection in the result instead of throwing.
          if (update.getStatus() != RemoteRefUpdate.Status.OK
              && update.getStatus() != RemoteRefUpdate.Status.UP_TO_DATE) {
            throw new IllegalStateException(
                "Push of " + update.getRemoteName() + " was " + update.getStatus());
          }
        }
      }
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Tags {@code sha} with a lightweight tag. */
  public void tag(String name, String sha) {
    try (var walk = new org.eclipse.jgit.revwalk.RevWalk(repository())) {
      git.tag()
          .setName(name)
          .setObjectId(walk.parseCommit(ObjectId.fromString(sha)))
          .setAnnotated(false)
          .call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The sha {@code main} points at. */
  public String head() {
    try {
      ObjectId id = repository().resolve("refs/heads/" + BRANCH);
      return id == null ? null : id.name();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A {@code file://} URL of this repository. */
  public String url() {
    return workTree.toUri().toString();
  }

  /** The working-tree directory (a plain local path is also a valid remote). */
  public Path path() {
    return workTree;
  }

  /** The {@code .git} directory, which {@link GitHttpServer} serves. */
  public Path gitDir() {
    return repository().getDirectory().toPath();
  }

  public Repository repository() {
    return git.getRepository();
  }

  @Override
  public void close() {
    git.close();
  }

  private String commitStaged(PersonIdent author, String message) throws GitAPIException {
    PersonIdent stamped =
        new PersonIdent(
            author.getName(),
            author.getEmailAddress(),
            EPOCH.plusSeconds(++commits),
            ZoneOffset.UTC);
    return git.commit()
        .setMessage(message)
        .setAuthor(stamped)
        .setCommitter(stamped)
        .setSign(false)
        .call()
        .getName();
  }
}
