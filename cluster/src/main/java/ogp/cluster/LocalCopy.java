package ogp.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import ogp.protocol.files.OwnerOnlyFile;

/**
 * One shared file's local side for {@link SharedFiles}: where it lives, what was last seen of it
 * and what etcd is known to hold. Confined to the SharedFiles worker thread (no locks).
 *
 * <p>Change detection: a {@code stat} per poll (size, modification time and file key — an atomic
 * rename gives a new inode); only a file whose stat changed is read and hashed, and only a hash
 * different from etcd's is a change worth uploading. A file modified within the last {@link #RACY}
 * is read again on every poll even with an unchanged stat: an in-place rewrite of the same size
 * inside one tick of a coarse file-system clock leaves the stat as it was (Git calls such files
 * "racily clean").
 */
final class LocalCopy {
  /** How recent a modification time must be for the file to be re-read whatever its stat says. */
  static final Duration RACY = Duration.ofSeconds(2);

  /** What a look at the local file found. */
  sealed interface Reading {
    /** The file does not exist. */
    record Missing() implements Reading {}

    /** The file is larger than SharedFiles replicates. */
    record TooBig(long size) implements Reading {}

    /** The stat is as last seen (and not racy): the content is what was read then. */
    record Unchanged() implements Reading {}

    /** The file's content, read now, and its SHA-256. */
    record Content(byte[] bytes, String sha256) implements Reading {}
  }

  private record Stat(long size, FileTime modified, Object fileKey) {}

  final String key;
  final Path path;
  private final int maxBytes;
  private Stat seen; // the stat of the last read; null: never read (or forgotten)

  /** The SHA-256 of etcd's value as last learnt; null while unknown; {@link #ABSENT} if none. */
  private String etcdSha256;

  static final String ABSENT = "absent";

  /** The first wait after a failed upload; it doubles with every failure in a row. */
  static final Duration FIRST_RETRY = Duration.ofMillis(100);

  /** The longest wait between two attempts to upload a file etcd refused or did not take. */
  static final Duration MAX_RETRY = Duration.ofSeconds(5);

  /** Files at least this large are uploaded at most once per {@link #LARGE_FILE_INTERVAL}. */
  static final int LARGE_FILE = 64 * 1024;

  /**
   * Every put of a file stays in etcd's history until etcd compacts it: a 2 MB {@code hosts.json}
   * rewritten five times a second while thousands of agents register would add 10 MB a second. Once
   * a second coalesces such bursts; a small file (a token) still goes at once.
   */
  static final Duration LARGE_FILE_INTERVAL = Duration.ofSeconds(1);

  private int failuresInARow;
  private long retryAtNanos;
  private long lastLargeUploadNanos;
  private boolean uploadedLarge;

  /** Whether the current problem (too big, missing) was logged already; cleared when it ends. */
  boolean toldTooBig;

  boolean toldMissing;

  LocalCopy(String key, Path path, int maxBytes) {
    this.key = Objects.requireNonNull(key);
    this.path = Objects.requireNonNull(path);
    this.maxBytes = maxBytes;
  }

  /**
   * Looks at the file: {@link Reading.Unchanged} when its stat is as last read and it is not racy
   * at {@code now}, otherwise its content (or why there is none).
   */
  Reading look(Instant now) throws IOException {
    Stat stat;
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      stat = new Stat(a.size(), a.lastModifiedTime(), a.fileKey());
    } catch (NoSuchFileException e) {
      seen = null;
      return new Reading.Missing();
    }
    boolean racy = stat.modified().toInstant().isAfter(now.minus(RACY));
    if (stat.equals(seen) && !racy) return new Reading.Unchanged();
    if (stat.size() > maxBytes) {
      seen = null;
      return new Reading.TooBig(stat.size());
    }
    Reading read = readNow();
    if (read instanceof Reading.Content) seen = stat;
    return read;
  }

  /** The file's content now, whatever its stat (bounded: a file grown past the limit is TooBig). */
  Reading readNow() throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path)) {
      bytes = in.readNBytes(maxBytes + 1);
    } catch (NoSuchFileException e) {
      return new Reading.Missing();
    }
    if (bytes.length > maxBytes) return new Reading.TooBig(bytes.length);
    return new Reading.Content(bytes, sha256(bytes));
  }

  /**
   * Makes the local file hold {@code value} (atomic, owner-only); returns false when it already
   * did. Either way, etcd is then known to hold {@code value}.
   */
  boolean replaceWith(byte[] value) throws IOException {
    String sha = sha256(value);
    etcdSha256 = sha;
    Reading now = readNow();
    if (now instanceof Reading.Content c && Arrays.equals(c.bytes(), value)) return false;
    OwnerOnlyFile.write(path, value);
    seen = null; // the next look reads it once and finds it equal to etcd's
    return true;
  }

  /**
   * Whether an upload may be tried at {@code nanoTime}: not while the backoff after a failure runs
   * (an etcd that refuses a request as too large answers at once; without a wait the file would be
   * read and sent ten times a second).
   */
  boolean mayTry(long nanoTime) {
    if (failuresInARow > 0 && nanoTime - retryAtNanos < 0) return false;
    return !uploadedLarge || nanoTime - lastLargeUploadNanos >= LARGE_FILE_INTERVAL.toNanos();
  }

  /** An upload failed at {@code nanoTime}: the next waits 100 ms, doubling, at most 5 s. */
  void uploadFailed(long nanoTime) {
    long wait = FIRST_RETRY.toNanos() << Math.min(failuresInARow, 10);
    retryAtNanos = nanoTime + Math.min(wait, MAX_RETRY.toNanos());
    failuresInARow++;
    seen = null; // read and offered again once the wait is over
  }

  void uploadSucceeded() {
    failuresInARow = 0;
  }

  /** A put of {@code size} bytes was taken at {@code nanoTime}. */
  void uploaded(int size, long nanoTime) {
    uploadedLarge = size >= LARGE_FILE;
    lastLargeUploadNanos = nanoTime;
  }

  /** Forgets the last stat, so the next look reads the file whatever its stat. */
  void forgetSeen() {
    seen = null;
  }

  /** Whether etcd's value is known (learnt from a pull, a watch, a seed or an upload). */
  boolean etcdKnown() {
    return etcdSha256 != null;
  }

  /** Whether etcd is known to hold exactly the content with this hash. */
  boolean etcdHolds(String sha256) {
    return sha256.equals(etcdSha256);
  }

  void etcdHas(byte[] value) {
    etcdSha256 = sha256(value);
  }

  void etcdHasSha256(String sha256) {
    etcdSha256 = sha256;
  }

  void etcdLacks() {
    etcdSha256 = ABSENT;
  }

  void etcdUnknown() {
    etcdSha256 = null;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
