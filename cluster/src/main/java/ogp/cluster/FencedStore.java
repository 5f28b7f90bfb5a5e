package ogp.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The replicas' shared state in etcd, under the cluster's key prefix (keys here are relative to
 * it). Every write of the leader is one transaction guarded by its leader key (the key still exists
 * with the creation revision of this leader's epoch), so a deposed leader's write changes nothing,
 * however late it arrives. Every call has a timeout and throws {@link ClusterUnavailable} when etcd
 * does not answer.
 */
public interface FencedStore {
  /** The value of a key, if present. */
  Optional<byte[]> get(String key);

  /** All keys under a relative prefix, with their values. */
  Map<String, byte[]> list(String keyPrefix);

  /**
   * Writes the value if this replica still leads at its epoch.
   *
   * @return false when the guard failed: this replica no longer leads, nothing was written
   */
  boolean put(String key, byte[] value);

  /** Deletes the key if this replica still leads at its epoch; false when fenced. */
  boolean delete(String key);

  /**
   * Writes the value only if the key does not exist yet, whoever leads (first-start material every
   * replica must share, such as the agent CA); returns the value stored now, this one or the
   * earlier one.
   */
  byte[] putIfAbsent(String key, byte[] value);

  /**
   * Writes all the values only if none of their keys exists, in one transaction, whoever leads:
   * first-start material that is only valid together, such as the agent CA's certificate and key,
   * so two replicas starting at once never leave one's certificate beside the other's key.
   *
   * @return what each key holds now: these values when they were written, otherwise the earlier
   *     values of the keys that exist (a key absent from the answer does not exist)
   */
  Map<String, byte[]> putAllIfAbsent(Map<String, byte[]> values);

  /**
   * Writes the value only if this replica still leads at its epoch AND the key does not exist, in
   * one transaction guarded by both; the key is attached to a new lease of {@code ttl}, so etcd
   * removes it then (markers that must outlive any failover but not pile up for ever, such as
   * "auto-revert claimed"). A lease made for a write that did not happen is revoked.
   *
   * @return true when written; false when the key exists or this replica no longer leads
   */
  boolean putIfAbsentFenced(String key, byte[] value, Duration ttl);

  /**
   * Tells {@code onChange} about every later put (value) and delete (empty) under a relative
   * prefix, on the store's own thread, never on a gRPC thread; closing the handle ends the watch.
   */
  AutoCloseable watch(String keyPrefix, BiConsumer<String, Optional<byte[]>> onChange);
}
