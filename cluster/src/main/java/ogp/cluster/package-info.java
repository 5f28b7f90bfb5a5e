/**
 * Replicas of {@code ogp server} on etcd: one leader elected over a lease, fenced by the leader
 * key's creation revision, and the state a new leader needs kept under one key prefix. The only
 * package that sees jetcd.
 */
package ogp.cluster;
