package ogp.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EpochTimelineTest {
  @Test
  void theFirstAssignmentAboveAnEpochIsTheEarliestReceivedAtAnyHigherEpoch() {
    EpochTimeline t = new EpochTimeline();
    t.assignment(5, 100);
    t.assignment(5, 50); // later frames of a recorded epoch change nothing
    t.assignment(9, 300);
    t.assignment(7, 200);

    assertEquals(new EpochTimeline.Seen(5, 100), t.firstAssignmentAbove(0).orElseThrow());
    assertEquals(new EpochTimeline.Seen(7, 200), t.firstAssignmentAbove(5).orElseThrow());
    assertTrue(t.firstAssignmentAbove(9).isEmpty());
    assertTrue(t.firstWelcomeAbove(0).isEmpty(), "welcomes are kept apart from assignments");
  }

  @Test
  void epochsBeyondTheBoundAreCountedNotKept() {
    EpochTimeline t = new EpochTimeline();
    for (int e = 1; e <= EpochTimeline.MAX_EPOCHS + 3; e++) t.welcome(e, e);
    assertEquals(3, t.overflow());
    assertTrue(t.firstWelcomeAt(EpochTimeline.MAX_EPOCHS).isPresent());
    assertTrue(t.firstWelcomeAt(EpochTimeline.MAX_EPOCHS + 1).isEmpty());
  }
}
