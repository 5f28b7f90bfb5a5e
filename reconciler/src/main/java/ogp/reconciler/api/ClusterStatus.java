package ogp.reconciler.api;

import java.util.List;
import java.util.Objects;

/**
 * What {@code GET /api/v1/cluster} answers: the replicas of a replicated server, who leads and at
 * which epoch, as this replica sees them. A server without {@code --etcd} is a cluster of one that
 * leads at epoch 0 ({@link #single}).
 *
 * @param mode {@code replicated} (on etcd) or {@code single}
 * @param self this replica's member id
 * @param leader the leader as this replica last saw it; null while none is known
 * @param epoch the leader's epoch (the leader key's creation revision); 0 while none is known and
 *     for a single server
 * @param leaseAgeMs since the last successful keep-alive of this replica's lease; null without etcd
 * @param members the live replicas, this one included
 */
public record ClusterStatus(
    String mode, String self, Leader leader, long epoch, Long leaseAgeMs, List<Member> members) {

  public static final String REPLICATED = "replicated";
  public static final String SINGLE = "single";

  public ClusterStatus {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(self, "self");
    members = List.copyOf(members);
  }

  /** The leader: its member id, epoch and where agents and users reach it. */
  public record Leader(String id, long epoch, String agentAddress, String httpUrl) {}

  /** One live replica; {@code leader} when it holds the leader key. */
  public record Member(String id, String agentAddress, String httpUrl, boolean leader) {}

  /** A server without replicas: itself, leading at epoch 0. */
  public static ClusterStatus single(String self, String agentAddress, String httpUrl) {
    return new ClusterStatus(
        SINGLE,
        self,
        new Leader(self, 0, agentAddress, httpUrl),
        0,
        null,
        List.of(new Member(self, agentAddress, httpUrl, true)));
  }
}
