package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import ogp.reconciler.api.ClusterStatus;
import org.junit.jupiter.api.Test;

/**
 * The address a replicated leader records for join commands names every live replica, itself first,
 * so an enrolled agent keeps the whole list and follows the leader after a failover.
 */
class JoinAddressOfReplicasTest {
  private static ClusterStatus.Member member(String id, String agents) {
    return new ClusterStatus.Member(id, agents, "https://" + id + ":8080", id.equals("b"));
  }

  @Test
  void theLeaderComesFirstThenTheOtherReplicasInOrder() {
    ClusterStatus cluster =
        new ClusterStatus(
            ClusterStatus.REPLICATED,
            "b",
            new ClusterStatus.Leader("b", 9, "b:7070", "https://b:8080"),
            9,
            10L,
            List.of(member("c", "c:7070"), member("a", "a:7070"), member("b", "b:7070")));
    assertEquals("b:7070,a:7070,c:7070", ServerProcess.everyReplica(cluster, "own:7070"));
  }

  @Test
  void withoutItselfAmongTheMembersTheLeaderNamesItsOwnAddressFirst() {
    ClusterStatus cluster =
        new ClusterStatus(
            ClusterStatus.REPLICATED, "b", null, 0, 10L, List.of(member("a", "a:7070")));
    assertEquals("own:7070,a:7070", ServerProcess.everyReplica(cluster, "own:7070"));
  }
}
