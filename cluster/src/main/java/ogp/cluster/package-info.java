/**
 * Replicas of {@code ogp server} on etcd: one leader elected over a lease, fenced by the leader
 * key's creation revision, and the state a new leader needs kept under one key prefix. The only
 * package that sees jetcd.
 *
 * <p>Entry point: {@link ogp.cluster.EtcdLeadership#start} (a {@link ogp.cluster.Leadership}, which
 * is the {@code CommandFence} of the agent link) and its {@link ogp.cluster.EtcdLeadership#store()}
 * (the {@link ogp.cluster.FencedStore}).
 *
 * <p>Keys, all under {@link ogp.cluster.EtcdSettings#prefix()} ({@code /ogp/} by default):
 *
 * <ul>
 *   <li>{@code leader/<lease in hex>}: the election's candidates, each on its replica's lease,
 *       holding the {@link ogp.cluster.Member} as JSON; the first-created one leads, and its
 *       creation revision is the epoch;
 *   <li>{@code members/<id>}: every live replica's {@link ogp.cluster.Member}, on its lease;
 *   <li>{@code state/…}: the shared state ({@link ogp.cluster.FencedStore}), written by the leader
 *       in transactions guarded by its leader key.
 * </ul>
 *
 * <p>Inside: {@code LeaseKeeper} (the lease and when it is fresh, {@code LeaseFreshness}), {@code
 * Candidacy} (campaign, withdraw, resign), {@code LeaderObserver} and {@code LeaderView} (who
 * leads, in etcd's revision order), {@code MemberDirectory}, {@code Listeners}, {@code StoreWatch};
 * {@code EtcdClients} builds the jetcd client, {@code EtcdCalls} bounds every call. Tests run all
 * of it against a real etcd cluster ({@code EtcdTestCluster} in the test-jar).
 */
package ogp.cluster;
