package ogp.cluster;

/**
 * The leader as a replica last saw it: the member holding the election's leader key and the key's
 * creation revision, the epoch that fences its commands and writes.
 */
public record Leader(Member member, long epoch) {}
