package ogp.cli;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import ogp.cluster.Leader;
import ogp.cluster.Leadership;
import ogp.cluster.Member;
import ogp.reconciler.agents.LeaderRedirect;
import ogp.reconciler.api.ClusterStatus;

/**
 * A replica's leadership as the API and the agent port show it: {@code GET /api/v1/cluster}'s
 * {@link ClusterStatus} and the {@link LeaderRedirect} a standby's agent port answers with. Read
 * from the leadership's memory at each call. A leader that is this replica itself is no redirect
 * target while its standby port still accepts connections ({@link #redirect()}: a probe of its own
 * address would reach that very port); once that port stopped accepting for the election hand-over,
 * it is ({@link #leaderRedirect()}): the agents it holds wait for its own server.
 */
final class ClusterView {
  private final Leadership leadership;

  ClusterView(Leadership leadership) {
    this.leadership = Objects.requireNonNull(leadership, "leadership");
  }

  ClusterStatus status() {
    Optional<Leader> leader = leadership.leader();
    String leaderId = leader.map(l -> l.member().id()).orElse(null);
    List<ClusterStatus.Member> members =
        leadership.members().stream()
            .map(
                m ->
                    new ClusterStatus.Member(
                        m.id(), m.agentAddress(), m.httpUrl().toString(), m.id().equals(leaderId)))
            .toList();
    return new ClusterStatus(
        ClusterStatus.REPLICATED,
        leadership.self().id(),
        leader.map(ClusterView::leader).orElse(null),
        leader.map(Leader::epoch).orElse(0L),
        leadership.leaseAge().toMillis(),
        members);
  }

  /** Where a standby sends agents: the leader, unless none is known or it is this replica. */
  Optional<LeaderRedirect> redirect() {
    return leadership
        .leader()
        .filter(l -> !l.member().id().equals(leadership.self().id()))
        .map(ClusterView::redirectTo);
  }

  /** Where the leader takes agents, this replica included (the election hand-over). */
  Optional<LeaderRedirect> leaderRedirect() {
    return leadership.leader().map(ClusterView::redirectTo);
  }

  /**
   * Whether this replica holds the leadership now: its standby agent port then holds agents even
   * while it names nobody (before the hand-over), since its own server is about to take them.
   */
  boolean electedHere() {
    return leadership.leading();
  }

  private static LeaderRedirect redirectTo(Leader l) {
    return new LeaderRedirect(l.member().agentAddress(), l.epoch());
  }

  private static ClusterStatus.Leader leader(Leader l) {
    Member m = l.member();
    return new ClusterStatus.Leader(m.id(), l.epoch(), m.agentAddress(), m.httpUrl().toString());
  }
}
