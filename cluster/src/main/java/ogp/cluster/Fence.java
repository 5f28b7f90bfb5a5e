package ogp.cluster;

import io.etcd.jetcd.ByteSequence;

/**
 * What guards a leader's writes: its leader key must still exist with the creation revision of its
 * epoch.
 */
record Fence(ByteSequence leaderKey, long epoch) {}
