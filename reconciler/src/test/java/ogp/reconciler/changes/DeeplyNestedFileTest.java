package ogp.reconciler.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change path reads YAML within the reader's limits: a committed file nested 100,000 levels
 * deep is one clear refusal, never a {@link StackOverflowError}, and nothing is committed.
 */
class DeeplyNestedFileTest {
  private static final String DEEP = "[".repeat(100_000);

  @TempDir Path tmp;
  private ChangeFixture f;

  @AfterEach
  void tearDown() {
    if (f != null) f.close();
  }

  @Test
  void aChangeToAnAppOfADeeplyNestedFileIsRefusedAsInvalidYamlAndCommitsNothing() {
    f =
        new ChangeFixture(
            tmp,
            Map.of(
                "apps/web.yaml", ChangeFixture.app("web", "41") + "---\nnested: " + DEEP + "\n"));
    String head = f.remoteHead();

    ChangeRefused refused =
        assertThrows(
            ChangeRefused.class,
            () ->
                f.service.deploy("web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE));

    assertTrue(
        refused.getMessage().startsWith("apps/web.yaml is not valid YAML, so app web cannot"),
        refused.getMessage());
    assertTrue(
        refused.getMessage().contains("collections nested deeper than 64 levels"),
        refused.getMessage());
    assertEquals(head, f.remoteHead(), "nothing committed");
  }

  @Test
  void aDeeplyNestedFileBesideTheAppsFileLeavesItsHistoryReadable() {
    f =
        new ChangeFixture(
            tmp,
            Map.of(
                "apps/a-deep.yaml",
                "app: deep\nnested: " + DEEP + "\n",
                "apps/web.yaml",
                ChangeFixture.app("web", "41")));

    assertFalse(f.service.history("web").isEmpty());
  }
}
