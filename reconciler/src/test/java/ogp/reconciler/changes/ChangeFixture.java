package ogp.reconciler.changes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * A bare remote over {@code file://} seeded from a {@link TestRepo}, a mirror of it and a {@link
 * ChangeService}; {@link #afterPushCalls()} counts the after-push hook.
 */
final class ChangeFixture implements AutoCloseable {
  static final Actor ALICE = new Actor("Alice Ops", "alice@example.com", "alice");

  final TestRepo work;
  final Path bare;
  final String url;
  final GitMirror mirror;
  final ChangeService service;
  private final AtomicInteger afterPush = new AtomicInteger();

  ChangeFixture(Path tmp, Map<String, String> files) {
    try {
      work = TestRepo.create(tmp.resolve("work"));
      work.commit("Initial desired state", files);
      bare = tmp.resolve("remote.git");
      Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
      url = bare.toUri().toString();
      work.pushTo(url, "x", "x", false);
      mirror = GitMirror.open(GitRemote.of(url, "main", ""), tmp.resolve("data"));
      service = new ChangeService(mirror, afterPush::incrementAndGet);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Two apps, web at 41 and api at 7, each in its own file. */
  static ChangeFixture webAndApi(Path tmp) {
    return new ChangeFixture(
        tmp, Map.of("apps/web.yaml", app("web", "41"), "apps/api.yaml", app("api", "7")));
  }

  /** The hunk a version change of web from 41 makes in its file, as git diff prints it. */
  static String webVersionHunk(String version) {
    return """
        @@ -1,5 +1,5 @@
         # web: managed by OGP
         app: web
         image: 127.0.0.1:5000/demo/web   # private registry
        -version: "41"
        +version: "%s"
         hosts: [host-a]
        """
        .formatted(version);
  }

  int afterPushCalls() {
    return afterPush.get();
  }

  /**
   * Pulls the remote into the working repo and pushes a commit from it: someone else moving the
   * branch.
   */
  String commitElsewhere(String message, Map<String, String> files) {
    try (Git git = Git.wrap(work.repository())) {
      git.fetch().setRemote(url).setRefSpecs("+refs/heads/main:refs/remotes/origin/main").call();
      work.resetHard("refs/remotes/origin/main");
      String sha = work.commit(message, files);
      work.pushTo(url, "x", "x", false);
      return sha;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  Repository remote() {
    try {
      return new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String remoteHead() {
    try (Repository r = remote()) {
      return r.resolve("refs/heads/main").name();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  RevCommit remoteCommit(String sha) {
    try (Repository r = remote();
        RevWalk walk = new RevWalk(r)) {
      RevCommit c = walk.parseCommit(ObjectId.fromString(sha));
      walk.parseBody(c);
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code git show --format=} of a commit on the remote: its diff against its first parent,
   * without index lines.
   */
  String diffOf(String sha) {
    try (Repository r = remote();
        RevWalk walk = new RevWalk(r)) {
      RevCommit c = walk.parseCommit(ObjectId.fromString(sha));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (DiffFormatter f = new DiffFormatter(out)) {
        f.setRepository(r);
        f.format(walk.parseCommit(c.getParent(0)).getTree(), c.getTree());
      }
      return out.toString(StandardCharsets.UTF_8)
          .lines()
          .filter(l -> !l.startsWith("index "))
          .reduce("", (a, b) -> a + b + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String app(String name, String version) {
    return """
        # %s: managed by OGP
        app: %s
        image: 127.0.0.1:5000/demo/%s   # private registry
        version: "%s"
        hosts: [host-a]
        """
        .formatted(name, name, name, version);
  }

  @Override
  public void close() {
    service.close();
    mirror.close();
    work.close();
  }
}
