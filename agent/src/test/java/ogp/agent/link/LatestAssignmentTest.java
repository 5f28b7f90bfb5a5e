package ogp.agent.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import ogp.protocol.v1.Assignment;
import org.junit.jupiter.api.Test;

class LatestAssignmentTest {
  /** Runs tasks only when the test says so, like a busy assignment thread. */
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

  private final Executor manual = tasks::add;
  private final List<String> handled = new ArrayList<>();
  private final LatestAssignment latest =
      new LatestAssignment(a -> handled.add(a.getRevision()), manual);

  @Test
  void assignmentsArrivingWhileTheHandlerIsBusyCollapseToTheNewest() {
    latest.offer(revision("r1"));
    latest.offer(revision("r2"));
    latest.offer(revision("r3"));

    assertEquals(1, tasks.size(), "one delivery queued, not three");
    runAll();
    assertEquals(List.of("r3"), handled);
  }

  @Test
  void eachAssignmentAfterADeliveryIsDeliveredToo() {
    latest.offer(revision("r1"));
    runAll();
    latest.offer(revision("r2"));
    runAll();

    assertEquals(List.of("r1", "r2"), handled);
  }

  @Test
  void aFailingHandlerDoesNotStopLaterDeliveries() {
    List<String> seen = new ArrayList<>();
    LatestAssignment failing =
        new LatestAssignment(
            a -> {
              seen.add(a.getRevision());
              throw new IllegalStateException("docker down");
            },
            manual);
    failing.offer(revision("r1"));
    runAll();
    failing.offer(revision("r2"));
    runAll();

    assertEquals(List.of("r1", "r2"), seen);
  }

  private void runAll() {
    while (!tasks.isEmpty()) {
      tasks.poll().run();
    }
  }

  private static Assignment revision(String revision) {
    return Assignment.newBuilder().setRevision(revision).build();
  }
}
