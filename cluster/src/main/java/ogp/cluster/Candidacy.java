package ogp.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * This replica's calls on the election: campaign, withdraw, resign. etcd names a candidate's key
 * {@code <election>/<lease in hex>}, with the candidate's value, on its lease; the campaign answers
 * when every older key is gone. All calls block the caller (the campaign thread), each with a
 * bound.
 */
final class Candidacy {
  static final Duration CAMPAIGN_SLICE = Duration.ofMillis(250);

  private final Election election;
  private final KV kv;
  private final String electionName;
  private final ByteSequence value;
  private final Duration callTimeout;

  Candidacy(Election election, KV kv, String electionName, Member self, Duration callTimeout) {
    this.election = election;
    this.kv = kv;
    this.electionName = electionName;
    this.value = ByteSequence.from(MemberJson.write(self));
    this.callTimeout = callTimeout;
  }

  /**
   * Campaigns with the lease until elected. The wait is checked every {@link #CAMPAIGN_SLICE}: when
   * {@code giveUp} says so, or the thread is interrupted, the campaign is withdrawn and the answer
   * is empty.
   *
   * @throws ClusterUnavailable when the campaign call fails (a network error: jetcd does not retry
   *     it; campaigning again with the same lease finds the same key)
   */
  Optional<LeaderKey> campaign(long leaseId, BooleanSupplier giveUp) {
    CompletableFuture<CampaignResponse> call =
        election.campaign(EtcdCalls.bytes(electionName), leaseId, value);
    while (true) {
      try {
        return Optional.of(call.get(CAMPAIGN_SLICE.toNanos(), TimeUnit.NANOSECONDS).getLeader());
      } catch (TimeoutException waiting) {
        if (giveUp.getAsBoolean()) {
          withdraw(call, leaseId);
          return Optional.empty();
        }
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw new ClusterUnavailable("etcd failed (campaign): " + EtcdCalls.message(cause), cause);
      } catch (InterruptedException e) {
        withdraw(call, leaseId);
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
  }

  /**
   * Withdraws a campaign the replica no longer wants: deletes its candidate key, and resigns at
   * once should the campaign still win later. Asynchronous: the lease's revocation at close ends
   * the key in any case.
   */
  private void withdraw(CompletableFuture<CampaignResponse> call, long leaseId) {
    call.thenAccept(won -> election.resign(won.getLeader()));
    kv.delete(EtcdCalls.bytes(electionName + "/" + Long.toHexString(leaseId)))
        .orTimeout(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Deletes the leader key if it still has the creation revision it had when won (etcd's resign is
   * guarded so): a key that is gone, or a newer one, is left alone.
   */
  void resign(LeaderKey key) {
    EtcdCalls.await(election.resign(key), callTimeout, "resign");
  }
}
