package ogp.reconciler.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that no longer leads pushes nothing: the change service asks its fence right before the
 * push and answers {@link NotLeader}; the remote branch stays where it was. Against a real bare
 * repository over file://.
 */
class FencedChangesTest {
  @TempDir Path tmp;

  @Test
  void aDeployOfAReplicaThatNoLongerLeadsIsRefusedAndPushesNothing() throws Exception {
    try (ChangeFixture f = ChangeFixture.webAndApi(tmp)) {
      AtomicBoolean leads = new AtomicBoolean(false);
      f.service.fencedBy(leads::get).serialized();
      String before = f.remoteHead();
      NotLeader refused =
          assertThrows(
              NotLeader.class,
              () ->
                  f.service.deploy(
                      "web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE));
      assertTrue(refused.getMessage().contains("no longer leads"), refused.getMessage());
      assertEquals(before, f.remoteHead(), "nothing was pushed");
      assertEquals(0, f.afterPushCalls());

      leads.set(true);
      ChangeResult landed =
          f.service.deploy("web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE);
      assertEquals(landed.commit().orElseThrow(), f.remoteHead(), "a leader commits as before");
    }
  }

  @Test
  void anAutomaticRollbackOfAReplicaThatNoLongerLeadsPushesNothing() throws Exception {
    try (ChangeFixture f = ChangeFixture.webAndApi(tmp)) {
      String failed =
          f.service
              .deploy("web", Optional.of("42"), Optional.empty(), ChangeFixture.ALICE)
              .commit()
              .orElseThrow();
      f.service.fencedBy(() -> false);
      assertThrows(
          NotLeader.class, () -> f.service.rollbackFailedRevision("web", failed, "unhealthy"));
      assertEquals(failed, f.remoteHead(), "no revert was pushed");
    }
  }
}
