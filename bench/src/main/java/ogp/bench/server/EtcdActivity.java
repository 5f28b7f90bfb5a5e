package ogp.bench.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every etcd member has counted at one instant, from its {@code /metrics}: writes to the key
 * space (puts and deletes of the MVCC store), multi-operation transactions, the store's revision,
 * raft proposals committed and lease renewals (keep-alives).
 *
 * <p>etcd 3.4 exposes {@code etcd_mvcc_put_total}, {@code etcd_mvcc_delete_total} and {@code
 * etcd_mvcc_txn_total} and the same counts as {@code etcd_debugging_mvcc_*}; the latter are read
 * when the former are absent. Every member applies every write, so a member's count is the
 * cluster's, not a third of it. A keep-alive is not a write: it neither changes the revision nor
 * goes through raft in 3.4; it shows only in {@code etcd_debugging_lease_renewed_total}, which the
 * raft leader counts.
 *
 * @param members one sample per member, in member order
 */
public record EtcdActivity(long nanoTime, List<Sample> members) {
  static final String PUTS = "etcd_mvcc_put_total";
  static final String DELETES = "etcd_mvcc_delete_total";
  static final String TXNS = "etcd_mvcc_txn_total";
  static final String DEBUG_PUTS = "etcd_debugging_mvcc_put_total";
  static final String DEBUG_DELETES = "etcd_debugging_mvcc_delete_total";
  static final String DEBUG_TXNS = "etcd_debugging_mvcc_txn_total";
  static final String REVISION = "etcd_debugging_mvcc_current_revision";
  static final String PROPOSALS = "etcd_server_proposals_committed_total";
  static final String RENEWALS = "etcd_debugging_lease_renewed_total";

  /** One member's counters (NaN when the member exposes neither name). */
  public record Sample(
      double puts,
      double deletes,
      double txns,
      double revision,
      double proposalsCommitted,
      double leaseRenewals) {}

  public static EtcdActivity of(EtcdLaunch etcd) throws IOException, InterruptedException {
    Set<String> names =
        Set.of(
            PUTS,
            DELETES,
            TXNS,
            DEBUG_PUTS,
            DEBUG_DELETES,
            DEBUG_TXNS,
            REVISION,
            PROPOSALS,
            RENEWALS);
    List<Sample> members = new ArrayList<>();
    for (int i = 0; i < etcd.size(); i++) {
      Map<String, Double> m = etcd.metrics(i, names);
      members.add(
          new Sample(
              either(m, PUTS, DEBUG_PUTS),
              either(m, DELETES, DEBUG_DELETES),
              either(m, TXNS, DEBUG_TXNS),
              m.getOrDefault(REVISION, Double.NaN),
              m.getOrDefault(PROPOSALS, Double.NaN),
              m.getOrDefault(RENEWALS, Double.NaN)));
    }
    return new EtcdActivity(System.nanoTime(), List.copyOf(members));
  }

  private static double either(Map<String, Double> m, String name, String fallback) {
    return m.getOrDefault(name, m.getOrDefault(fallback, Double.NaN));
  }

  /** Rates per second between {@code earlier} and this, the highest over the members. */
  public Rates ratesSince(EtcdActivity earlier) {
    double seconds = (nanoTime - earlier.nanoTime) / 1e9;
    double writes = 0, txns = 0, revisions = 0, proposals = 0, renewals = 0;
    for (int i = 0; i < members.size(); i++) {
      Sample a = earlier.members.get(i);
      Sample b = members.get(i);
      writes = Math.max(writes, (b.puts - a.puts + b.deletes - a.deletes) / seconds);
      txns = Math.max(txns, (b.txns - a.txns) / seconds);
      revisions = Math.max(revisions, (b.revision - a.revision) / seconds);
      proposals = Math.max(proposals, (b.proposalsCommitted - a.proposalsCommitted) / seconds);
      renewals = Math.max(renewals, (b.leaseRenewals - a.leaseRenewals) / seconds);
    }
    return new Rates(seconds, writes, txns, revisions, proposals, renewals);
  }

  /**
   * Per second over a window of {@code seconds}; each is the highest of the members' own rates.
   *
   * @param writes puts + deletes of keys
   * @param txns multi-operation transactions, read-only ones included
   * @param revisions growth of the store's revision (one per write transaction)
   * @param proposals raft proposals committed (writes, lease grants and revocations)
   * @param leaseRenewals keep-alives answered: no write
   */
  public record Rates(
      double seconds,
      double writes,
      double txns,
      double revisions,
      double proposals,
      double leaseRenewals) {}
}
