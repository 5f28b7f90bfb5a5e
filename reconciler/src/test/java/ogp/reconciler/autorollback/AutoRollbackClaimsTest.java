package ogp.reconciler.autorollback;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import ogp.reconciler.changes.ChangeService;
import ogp.reconciler.events.EventLog;
import ogp.reconciler.events.EventReason;
import ogp.reconciler.rollout.RolloutFailure;
import ogp.reconciler.source.GitMirror;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AutoRollback commits a revert only when its {@link RevertClaims} grant it, against a real Git
 * remote. Its worker handles failures one at a time in order, so a granted failure told after a
 * refused one proves the refused one is finished when the granted revert lands.
 */
class AutoRollbackClaimsTest {
  @TempDir Path tmp;
  private TestRepo work;
  private String url;
  private Path bare;
  private GitMirror mirror;
  private ChangeService changes;
  private EventLog events;
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private String webDeploy;
  private String apiDeploy;

  @BeforeEach
  void setUp() throws Exception {
    work = TestRepo.create(tmp.resolve("work"));
    work.commit("Initial desired state", Map.of("apps/web.yaml", app("web", "41")));
    work.commit("Add api", Map.of("apps/api.yaml", app("api", "7")));
    webDeploy = work.commit("Deploy web 42", Map.of("apps/web.yaml", app("web", "42")));
    apiDeploy = work.commit("Deploy api 8", Map.of("apps/api.yaml", app("api", "8")));
    bare = tmp.resolve("remote.git");
    Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
    url = bare.toUri().toString();
    work.pushTo(url, "x", "x", false);
    mirror = GitMirror.open(GitRemote.of(url, "main", ""), tmp.resolve("data"));
    mirror.poll(); // the server has applied the failing revision
    changes = new ChangeService(mirror, () -> {});
    AtomicLong rv = new AtomicLong();
    events = new EventLog(100, e -> rv.incrementAndGet(), new SimpleMeterRegistry());
  }

  @AfterEach
  void tearDown() {
    changes.close();
    mirror.close();
    work.close();
  }

  @Test
  void aRevertWhoseClaimIsRefusedCommitsNothingAndRecordsNoEvent() throws Exception {
    String before = remoteHead();
    RevertClaims onlyApi =
        (app, revision) -> {
          asked.add(app + "@" + revision);
          return app.equals("api");
        };
    try (AutoRollback rollback = new AutoRollback(changes, events, Clock.systemUTC(), onlyApi)) {
      rollback.rolloutFailed(failure("web", webDeploy));
      rollback.rolloutFailed(failure("api", apiDeploy));

      await("the granted revert of api is pushed")
          .atMost(Duration.ofSeconds(20))
          .until(() -> !remoteHead().equals(before));
    }

    RevCommit head = remoteCommit(remoteHead());
    assertEquals("Revert \"Deploy api 8\"", head.getShortMessage());
    assertEquals(before, head.getParent(0).getName(), "exactly one commit: api's revert");
    assertEquals(List.of("web@" + webDeploy, "api@" + apiDeploy), asked);
    assertTrue(
        events.list(null, 100).stream().noneMatch(r -> "web".equals(r.event().app())),
        "the refused claim records no event: " + events.list(null, 100));
  }

  @Test
  void aClaimThatCannotBeAnsweredCommitsNothingAndRecordsRollbackFailed() throws Exception {
    String before = remoteHead();
    RevertClaims storeDown =
        (app, revision) -> {
          if (app.equals("web")) throw new IllegalStateException("etcd did not answer in 3 s");
          return true;
        };
    try (AutoRollback rollback = new AutoRollback(changes, events, Clock.systemUTC(), storeDown)) {
      rollback.rolloutFailed(failure("web", webDeploy));
      rollback.rolloutFailed(failure("api", apiDeploy));

      await("the granted revert of api is pushed")
          .atMost(Duration.ofSeconds(20))
          .until(() -> !remoteHead().equals(before));
    }

    RevCommit head = remoteCommit(remoteHead());
    assertEquals("Revert \"Deploy api 8\"", head.getShortMessage());
    assertEquals(before, head.getParent(0).getName(), "web's revert was not committed");
    assertTrue(
        events.list(null, 100).stream()
            .anyMatch(
                r ->
                    "web".equals(r.event().app())
                        && r.event().reason() == EventReason.ROLLBACK_FAILED
                        && r.event().message().contains("cannot claim it")
                        && r.event().message().contains("etcd did not answer")),
        "web's failure says the claim could not be made: " + events.list(null, 100));
  }

  @Test
  void theDefaultClaimsGrantEachRevertOnceInARun() {
    RevertClaims claims = RevertClaims.inMemory();

    assertTrue(claims.claim("web", webDeploy));
    assertTrue(!claims.claim("web", webDeploy), "the same revert is granted once");
    assertTrue(claims.claim("web", apiDeploy), "another revision is another claim");
    assertTrue(claims.claim("api", webDeploy), "another app is another claim");
  }

  private static RolloutFailure failure(String app, String revision) {
    return new RolloutFailure(
        app, "new", revision, List.of("host-a"), "was not healthy within 60s on host-a", true);
  }

  private String remoteHead() throws IOException {
    try (Repository r = remote()) {
      return r.resolve("refs/heads/main").name();
    }
  }

  private RevCommit remoteCommit(String sha) throws IOException {
    try (Repository r = remote();
        RevWalk walk = new RevWalk(r)) {
      RevCommit c = walk.parseCommit(ObjectId.fromString(sha));
      walk.parseBody(c);
      return c;
    }
  }

  private Repository remote() throws IOException {
    return new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
  }

  private static String app(String name, String version) {
    return """
        app: %s
        image: 127.0.0.1:5000/demo/%s
        version: "%s"
        hosts: [host-a]
        """
        .formatted(name, name, version);
  }
}
