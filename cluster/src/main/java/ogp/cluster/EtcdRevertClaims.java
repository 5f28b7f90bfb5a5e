package ogp.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import ogp.reconciler.autorollback.RevertClaims;

/**
 * The replicas' automatic-revert claims, in the shared store: a claim is the key {@code
 * autorevert/<app>@<revision>}, written by one transaction guarded by BOTH this replica's
 * leadership (its leader key still exists at its epoch) AND the key's absence ({@link
 * FencedStore#putIfAbsentFenced}). So of all the leaders that see the same failed rollout — before
 * and after any number of failovers — exactly one is granted the claim, and a deposed leader is
 * granted none.
 *
 * <p>A claim expires after {@link #TTL} (a day) through an etcd lease, not a timestamp in the
 * value: etcd removes expired claims itself (no sweeper, no keys piling up per failed revision) and
 * measures the day with its own lease clock rather than the replicas' clocks, which may disagree.
 * etcd extends leases when its own raft leader changes, so a claim lives at least a day. A day
 * outlasts every failover and resync in which the same failure is seen again; what it does not
 * outlast is kept by Git itself (an automatic revert is never reverted automatically). The value
 * records which replica claimed and when, for an operator reading etcd.
 */
public final class EtcdRevertClaims implements RevertClaims {
  /** Every claim's key starts with this (relative to the cluster's key prefix). */
  public static final String KEY_PREFIX = "autorevert/";

  /** How long a claim is kept. */
  public static final Duration TTL = Duration.ofDays(1);

  // The app names of ogp/v1 and Git's object names: nothing that could leave the claims' prefix.
  private static final Pattern APP = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern REVISION = Pattern.compile("[0-9a-f]{4,64}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FencedStore store;
  private final String memberId;
  private final Clock clock;

  /**
   * @param store the shared store of this replica's leadership (its fence)
   * @param memberId this replica's id, recorded in the claim
   */
  public EtcdRevertClaims(FencedStore store, String memberId, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.memberId = Objects.requireNonNull(memberId, "memberId");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * @throws IllegalArgumentException when the app or revision is not a valid name (nothing is
   *     written)
   * @throws ClusterUnavailable when etcd does not answer (nothing is claimed)
   */
  @Override
  public boolean claim(String app, String revision) {
    return store.putIfAbsentFenced(key(app, revision), value(), TTL);
  }

  /** The claim's key for {@code app} at {@code revision}. */
  static String key(String app, String revision) {
    if (app == null || app.length() > 63 || !APP.matcher(app).matches())
      throw new IllegalArgumentException("not an app name: " + app);
    if (revision == null || !REVISION.matcher(revision).matches())
      throw new IllegalArgumentException("not a Git revision: " + revision);
    return KEY_PREFIX + app + "@" + revision;
  }

  private byte[] value() {
    ObjectNode claim = JSON.createObjectNode();
    claim.put("member", memberId);
    claim.put("claimedAt", clock.instant().toString());
    return claim.toString().getBytes(StandardCharsets.UTF_8);
  }
}
