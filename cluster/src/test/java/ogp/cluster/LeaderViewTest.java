package ogp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The leader as seen: sightings in revision order, malformed values, terms counted. */
class LeaderViewTest {
  private final LeaderView view = new LeaderView();

  @Test
  void aSightingOlderThanOneTakenInIsDropped() {
    assertTrue(view.take(sighting("a", 10, 12)).orElseThrow().changed());
    assertTrue(view.take(sighting("b", 13, 14)).orElseThrow().changed());

    assertTrue(view.take(sighting("a", 10, 13)).isEmpty());
    assertEquals("b", view.leader().orElseThrow().member().id());
    assertEquals(14, view.revision());
  }

  @Test
  void anEmptySightingAtANewerRevisionMeansNoLeader() {
    view.take(sighting("a", 10, 12));

    LeaderView.Taken taken =
        view.take(new LeaderObserver.Sighting(Optional.empty(), 15)).orElseThrow();

    assertTrue(taken.changed());
    assertTrue(taken.leader().isEmpty());
    assertTrue(view.leader().isEmpty());
  }

  @Test
  void theSameLeaderSeenAgainIsNoNews() {
    view.take(sighting("a", 10, 12));

    LeaderView.Taken again = view.take(sighting("a", 10, 20)).orElseThrow();

    assertFalse(again.changed());
    assertEquals(1, view.changes());
  }

  @Test
  void aLeaderKeyThatHoldsNoMemberMakesTheLeaderUnknown() {
    view.take(sighting("a", 10, 12));

    LeaderView.Taken taken =
        view.take(new LeaderObserver.Sighting(Optional.of(key(10, "{\"id\":\"\u001b[2J\"}")), 13))
            .orElseThrow();

    assertTrue(taken.changed());
    assertTrue(view.leader().isEmpty());
  }

  @Test
  void eachLeaderAtANewEpochCountsOnceAsAChange() {
    view.take(sighting("a", 10, 11));
    view.take(new LeaderObserver.Sighting(Optional.empty(), 12));
    view.take(sighting("a", 10, 13)); // the same term seen again after a gap
    view.take(sighting("b", 14, 15));
    view.take(sighting("a", 16, 17)); // a again, in a new term

    assertEquals(3, view.changes());
  }

  private static LeaderObserver.Sighting sighting(String id, long epoch, long revision) {
    return new LeaderObserver.Sighting(
        Optional.of(key(epoch, new String(MemberJson.write(TestReplicas.member(id))))), revision);
  }

  private static KeyValue key(long createRevision, String value) {
    return new KeyValue(
        io.etcd.jetcd.api.KeyValue.newBuilder()
            .setKey(ByteString.copyFromUtf8("/ogp/leader/" + Long.toHexString(createRevision)))
            .setValue(ByteString.copyFromUtf8(value))
            .setCreateRevision(createRevision)
            .setModRevision(createRevision)
            .build(),
        ByteSequence.EMPTY);
  }
}
