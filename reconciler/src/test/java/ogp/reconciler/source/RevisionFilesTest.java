package ogp.reconciler.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import ogp.reconciler.desired.DesiredStateFiles;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one reader of the desired-state files at a revision, on real repositories: which files it
 * takes, that it never follows a symbolic link, its one size limit with its one message, and
 * reading a file as an older commit had it.
 */
class RevisionFilesTest {
  private static final int LIMIT = RevisionFiles.MAX_FILE_BYTES;

  @TempDir Path tmp;
  private TestRepo repo;

  @BeforeEach
  void repository() {
    repo = TestRepo.create(tmp.resolve("repo"));
  }

  @AfterEach
  void close() {
    repo.close();
  }

  @Test
  void takesTheYamlFilesBelowThePathAndSkipsDotfilesDotDirectoriesAndEverythingElse()
      throws Exception {
    String sha =
        repo.commit(
            "apps and the rest",
            Map.of(
                "fleet/apps/web.yaml", "app: web\n",
                "fleet/api.yml", "app: api\n",
                "fleet/.gitlab-ci.yml", "stages: [x]\n",
                "fleet/.github/workflows/ogp.yml", "on: push\n",
                "fleet/apps/.wip/db.yaml", "app: db\n",
                "fleet/README.md", "# fleet\n",
                "other/cache.yaml", "app: cache\n",
                "fleet.yaml", "app: beside\n"));
    RevisionFiles files = new RevisionFiles(repo.repository(), "fleet");

    assertEquals(
        Set.of("fleet/apps/web.yaml", "fleet/api.yml"), files.snapshotAt(sha).files().keySet());
    assertEquals(Optional.of("app: web\n"), text(files.file(id(sha), "fleet/apps/web.yaml")));
    for (String notDesiredState :
        List.of(
            "fleet/.gitlab-ci.yml",
            "fleet/.github/workflows/ogp.yml",
            "fleet/apps/.wip/db.yaml",
            "fleet/README.md",
            "other/cache.yaml",
            "fleet.yaml",
            "fleet/apps/none.yaml")) {
      assertEquals(Optional.empty(), files.file(id(sha), notDesiredState), notDesiredState);
    }
    assertEquals(
        Set.of("fleet/apps/web.yaml", "fleet/api.yml", "other/cache.yaml", "fleet.yaml"),
        new RevisionFiles(repo.repository(), "").snapshotAt(sha).files().keySet(),
        "the root as path");
  }

  @Test
  void aCommittedSymbolicLinkIsNeverListedReadOrFollowed() throws Exception {
    Path secret = Files.writeString(tmp.resolve("outside-secret.yaml"), "app: stolen\n");
    repo.commit(
        "an app and a file outside the path",
        Map.of("fleet/apps/web.yaml", "app: web\n", "private/db.yaml", "app: db\n"));
    Path apps = repo.path().resolve("fleet/apps");
    Files.createSymbolicLink(apps.resolve("passwd.yaml"), Path.of("/etc/passwd"));
    Files.createSymbolicLink(apps.resolve("outside.yaml"), secret);
    Files.createSymbolicLink(apps.resolve("sibling.yaml"), Path.of("../../private/db.yaml"));
    Files.createSymbolicLink(repo.path().resolve("fleet/linked-dir"), Path.of("../private"));
    ObjectId links;
    try (Git git = Git.open(repo.path().toFile())) {
      git.add().addFilepattern("fleet").call();
      links = git.commit().setMessage("symlinks").setSign(false).call();
    }
    RevisionFiles files = new RevisionFiles(repo.repository(), "fleet");

    assertEquals(Set.of("fleet/apps/web.yaml"), files.snapshotAt(links.name()).files().keySet());
    for (String link :
        List.of(
            "fleet/apps/passwd.yaml",
            "fleet/apps/outside.yaml",
            "fleet/apps/sibling.yaml",
            "fleet/linked-dir/db.yaml")) {
      assertEquals(Optional.empty(), files.file(links, link), link);
    }
    // The diff names the new links (their paths look like desired state), but as links, not files.
    List<DiffEntry> changes =
        files.changes(commit(repo.repository().resolve("HEAD~1")), commit(links));
    assertEquals(
        Set.of("fleet/apps/passwd.yaml", "fleet/apps/outside.yaml", "fleet/apps/sibling.yaml"),
        Set.copyOf(changes.stream().map(DiffEntry::getNewPath).toList()));
    assertTrue(changes.stream().noneMatch(c -> RevisionFiles.isFile(c.getNewMode())));
  }

  @Test
  void aFileAtTheLimitIsReadAndOneByteMoreIsRefusedWithOneMessageByEveryRead() throws Exception {
    String atLimit = "#".repeat(LIMIT - 1) + "\n";
    String over = "#".repeat(LIMIT) + "\n";
    String fits = repo.commit("at the limit", Map.of("apps/web.yaml", atLimit));
    String big = repo.commit("over the limit", Map.of("apps/web.yaml", over));
    RevisionFiles files = new RevisionFiles(repo.repository(), "");
    String message =
        "File apps/web.yaml at commit "
            + big
            + " is larger than 1048576 bytes and is not read as desired state.";

    assertEquals(LIMIT, files.file(id(fits), "apps/web.yaml").orElseThrow().length);
    assertEquals(LIMIT, files.snapshotAt(fits).files().get("apps/web.yaml").length);
    assertEquals(
        message,
        assertThrows(GitSourceException.class, () -> files.file(id(big), "apps/web.yaml"))
            .getMessage());
    assertEquals(
        message, assertThrows(GitSourceException.class, () -> files.snapshotAt(big)).getMessage());
    assertEquals(
        message,
        assertThrows(GitSourceException.class, () -> Snapshot.at(repo.repository(), big, ""))
            .getMessage());
    try (GitMirror mirror =
        GitMirror.open(GitRemote.of(repo.url(), "main", ""), tmp.resolve("data"))) {
      assertEquals(
          message,
          assertThrows(GitSourceException.class, mirror::poll).getMessage(),
          "a first, full read");
    }
    repo.commit("small again", Map.of("apps/web.yaml", "app: web\n"));
    try (GitMirror mirror =
        GitMirror.open(GitRemote.of(repo.url(), "main", ""), tmp.resolve("data-2"))) {
      Snapshot small = mirror.poll().snapshot();
      assertEquals(
          message,
          assertThrows(GitSourceException.class, () -> mirror.snapshotAt(big)).getMessage(),
          "a read derived from another snapshot");
      assertEquals(small, mirror.current().orElseThrow());
    }
  }

  @Test
  void theLimitIsTheYamlParsersSoWhatIsReadIsNeverRefusedForItsSize() {
    assertEquals(DesiredStateFiles.MAX_FILE_BYTES, LIMIT);
    byte[] atLimit = ("#".repeat(LIMIT - 1) + "\n").getBytes(UTF_8);
    byte[] over = ("#".repeat(LIMIT) + "\n").getBytes(UTF_8);

    assertEquals(List.of(), new DesiredStateReader().readFile("apps/web.yaml", atLimit).errors());
    assertEquals(
        "apps/web.yaml:1:1: file is 1048577 bytes, more than the limit of 1048576 bytes",
        new DesiredStateReader().readFile("apps/web.yaml", over).errors().get(0).toString());
  }

  @Test
  void aFileReadsAsAnOlderRevisionHadItAndAsAbsentWhereItWasNot() throws Exception {
    String v1 = repo.commit("v1", Map.of("apps/web.yaml", "version: 1\n"));
    String v2 =
        repo.commit("v2", Map.of("apps/web.yaml", "version: 2\n", "apps/api.yaml", "app: api\n"));
    String gone = repo.delete("remove web", "apps/web.yaml");
    RevisionFiles files = new RevisionFiles(repo.repository(), "");

    assertEquals(Optional.of("version: 1\n"), text(files.file(id(v1), "apps/web.yaml")));
    assertEquals(Optional.of("version: 2\n"), text(files.file(id(v2), "apps/web.yaml")));
    assertEquals(Optional.empty(), files.file(id(gone), "apps/web.yaml"));
    assertEquals(Optional.empty(), files.file(id(v1), "apps/api.yaml"));
    assertEquals(Set.of("apps/web.yaml"), files.snapshotAt(v1).files().keySet());
    assertEquals(
        "version: 1\n", new String(files.snapshotAt(v1).files().get("apps/web.yaml"), UTF_8));
  }

  @Test
  void changesNameTheDesiredStatePathsThatDifferFromTheParentOrFromNothing() throws Exception {
    String first =
        repo.commit("first", Map.of("apps/web.yaml", "version: 1\n", ".ci.yml", "x: 1\n"));
    String second =
        repo.commit(
            "second",
            Map.of(
                "apps/web.yaml",
                "version: 2\n",
                "apps/api.yaml",
                "app: api\n",
                ".ci.yml",
                "x: 2\n",
                "notes.txt",
                "n\n"));
    RevisionFiles files = new RevisionFiles(repo.repository(), "");

    assertEquals(List.of("ADD apps/web.yaml"), describe(files.changes(null, commit(id(first)))));
    assertEquals(
        List.of("ADD apps/api.yaml", "MODIFY apps/web.yaml"),
        describe(files.changes(commit(id(first)), commit(id(second)))));
  }

  @Test
  void anUnknownRevisionIsAClearError() {
    repo.commit("v1", Map.of("apps/web.yaml", "version: 1\n"));

    GitSourceException error =
        assertThrows(
            GitSourceException.class,
            () -> new RevisionFiles(repo.repository(), "").snapshotAt("no-such-branch"));
    assertEquals(
        "Revision no-such-branch is not a commit of " + repo.repository().getDirectory() + ".",
        error.getMessage());
  }

  private static List<String> describe(List<DiffEntry> changes) {
    return changes.stream()
        .map(
            c ->
                c.getChangeType()
                    + " "
                    + (c.getChangeType() == DiffEntry.ChangeType.DELETE
                        ? c.getOldPath()
                        : c.getNewPath()))
        .sorted()
        .toList();
  }

  private static Optional<String> text(Optional<byte[]> bytes) {
    return bytes.map(b -> new String(b, UTF_8));
  }

  private static ObjectId id(String sha) {
    return ObjectId.fromString(sha);
  }

  private RevCommit commit(ObjectId id) throws Exception {
    try (RevWalk walk = new RevWalk(repo.repository())) {
      return walk.parseCommit(id);
    }
  }
}
