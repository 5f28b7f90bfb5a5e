package ogp.agent.replicas;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import ogp.protocol.files.OwnerOnlyFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The highest leader epoch this agent has seen, the agent's half of fencing: a server's Welcome or
 * Assignment below it comes from a deposed leader and is refused.
 *
 * <p>Policy: epoch 0 is a single server without etcd: it is accepted whatever the highest, and it
 * never lowers nor resets it. Any other epoch below the highest is stale. An epoch above it raises
 * it in memory at once ({@link #raise}), and {@link #persist} then writes it to {@code
 * <data-dir>/leader-epoch} (decimal, through {@link OwnerOnlyFile}: atomic, durable, 0600), so an
 * agent restarted still refuses what a deposed leader sends. A file that cannot be read is reported
 * and counts as 0: the next Welcome of the leader raises it again.
 *
 * <p>Threads: {@link #highest}, {@link #stale} and {@link #raise} are lock-free and read memory
 * only (event loops call them); {@link #persist} writes the file and must be called from one thread
 * only (the link's assignment thread), so writes never overtake one another and no lock is held
 * across the disk.
 */
public final class LeaderEpoch {
  private static final Logger log = LoggerFactory.getLogger(LeaderEpoch.class);

  /** The file's name in the data dir. */
  public static final String FILE = "leader-epoch";

  private final Path fileOrNull;
  private final AtomicLong highest;
  private long persisted; // the persisting thread only

  private LeaderEpoch(Path fileOrNull, long highest) {
    this.fileOrNull = fileOrNull;
    this.highest = new AtomicLong(highest);
    this.persisted = highest;
  }

  /** Kept in memory only (tests, and links without a data dir). */
  public static LeaderEpoch inMemory() {
    return new LeaderEpoch(null, 0);
  }

  /** Kept in {@code dataDir/leader-epoch}, read now (0 when there is none yet). */
  public static LeaderEpoch in(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    return new LeaderEpoch(file, read(file));
  }

  private static long read(Path file) {
    if (!Files.exists(file)) return 0;
    try {
      return Long.parseUnsignedLong(Files.readString(file, StandardCharsets.US_ASCII).strip());
    } catch (IOException | NumberFormatException e) {
      log.error(
          "cannot read the highest leader epoch in {} ({}); starting from 0, the leader's next"
              + " Welcome raises it again",
          file,
          e.toString());
      return 0;
    }
  }

  /** The highest epoch seen (0: none, or only single servers). */
  public long highest() {
    return highest.get();
  }

  /** Whether a frame at {@code epoch} comes from a deposed leader: below the highest, and not 0. */
  public boolean stale(long epoch) {
    return epoch != 0 && Long.compareUnsigned(epoch, highest.get()) < 0;
  }

  /** Raises the highest to {@code epoch} when it is above; true when it did. */
  public boolean raise(long epoch) {
    // Unsigned: the wire's uint64; an epoch is an etcd revision, far below 2^63 in practice.
    long seen;
    do {
      seen = highest.get();
      if (Long.compareUnsigned(epoch, seen) <= 0) return false;
    } while (!highest.compareAndSet(seen, epoch));
    return true;
  }

  /**
   * Writes the highest epoch to the data dir when it rose since the last write. A failure is logged
   * as an error and leaves the epoch fenced in memory for this run; it is tried again next time.
   */
  public void persist() {
    long now = highest.get();
    if (fileOrNull == null || now == persisted) return;
    try {
      OwnerOnlyFile.write(fileOrNull, Long.toUnsignedString(now) + "\n");
      persisted = now;
    } catch (IOException e) {
      log.error(
          "cannot keep the highest leader epoch {} in {}: {}; it is enforced until the agent stops",
          Long.toUnsignedString(now),
          fileOrNull,
          e.toString());
    }
  }
}
