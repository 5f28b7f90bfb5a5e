package ogp.reconciler.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.plan.AssignmentBuilder;
import ogp.reconciler.source.RevisionFiles;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rebuilding the spec of what a host runs from the revision its container reports, in a real
 * repository.
 */
class KeptSpecsTest {
  @TempDir Path tmp;
  private TestRepo repo;
  private KeptSpecs kept;

  @BeforeEach
  void repository() {
    repo = TestRepo.create(tmp.resolve("repo"));
    kept = new KeptSpecs(new RevisionFiles(repo.repository(), ""));
  }

  @AfterEach
  void close() {
    repo.close();
  }

  @Test
  void aContainerOfAnEarlierRevisionGetsExactlyTheSpecItWasMadeFrom() {
    String v1 = repo.commit("v1", Map.of("apps/web.yaml", web("41", "hello")));
    ContainerSpec running = AssignmentBuilder.spec(app("apps/web.yaml", web("41", "hello")), 0, v1);
    repo.commit("v2", Map.of("apps/web.yaml", web("42", "hello again")));

    Optional<ContainerSpec> rebuilt =
        kept.specOf(app("apps/web.yaml", web("42", "hello again")), reported(running));

    assertEquals(Optional.of(running), rebuilt);
    assertEquals("41", rebuilt.get().getVersion());
  }

  @Test
  void anAppThatMovedToAnotherFileSinceIsFoundInTheWholeTree() {
    String v1 = repo.commit("v1", Map.of("old/web.yaml", web("41", "hello")));
    ContainerSpec running = AssignmentBuilder.spec(app("old/web.yaml", web("41", "hello")), 0, v1);
    repo.delete("move", "old/web.yaml");
    repo.commit("v2 elsewhere", Map.of("apps/web.yaml", web("42", "hello")));

    assertEquals(
        Optional.of(running),
        kept.specOf(app("apps/web.yaml", web("42", "hello")), reported(running)));
  }

  @Test
  void aSpecThatDoesNotRebuildToTheReportedHashIsNeverUsed() {
    String v1 = repo.commit("v1", Map.of("apps/web.yaml", web("41", "hello")));
    ContainerSpec running = AssignmentBuilder.spec(app("apps/web.yaml", web("41", "hello")), 0, v1);
    ContainerStatus otherHash =
        reported(running).toBuilder().setSpecHash("0123456789abcdef0123456789abcdef").build();

    assertTrue(kept.specOf(app("apps/web.yaml", web("41", "hello")), otherHash).isEmpty());
  }

  @Test
  void aRevisionGitDoesNotKnowGivesNothing() {
    repo.commit("v1", Map.of("apps/web.yaml", web("41", "hello")));
    ContainerSpec running =
        AssignmentBuilder.spec(
            app("apps/web.yaml", web("41", "hello")),
            0,
            "feedfacefeedfacefeedfacefeedfacefeedface");

    assertTrue(kept.specOf(app("apps/web.yaml", web("41", "hello")), reported(running)).isEmpty());
  }

  @Test
  void aRevisionWhoseFileIsOverTheSizeLimitGivesNothing() {
    String padded = web("41", "hello") + "#".repeat(RevisionFiles.MAX_FILE_BYTES) + "\n";
    String big = repo.commit("v1 padded", Map.of("apps/web.yaml", padded));
    ContainerSpec running =
        AssignmentBuilder.spec(app("apps/web.yaml", web("41", "hello")), 0, big);

    assertTrue(kept.specOf(app("apps/web.yaml", web("41", "hello")), reported(running)).isEmpty());
  }

  private static String web(String version, String greeting) {
    return """
        app: web
        image: busybox
        version: "%s"
        hosts: [h1]
        env: {GREETING: %s}
        """
        .formatted(version, greeting);
  }

  private static App app(String file, String yaml) {
    return new DesiredStateReader()
        .readFile(file, yaml.getBytes(StandardCharsets.UTF_8))
        .apps()
        .get(0);
  }

  private static ContainerStatus reported(ContainerSpec spec) {
    return ContainerStatus.newBuilder()
        .setApp(spec.getApp())
        .setInstance(spec.getInstance())
        .setVersion(spec.getVersion())
        .setContainerId("c1")
        .setState("running")
        .setRevision(spec.getRevision())
        .setSpecHash(spec.getSpecHash())
        .build();
  }
}
