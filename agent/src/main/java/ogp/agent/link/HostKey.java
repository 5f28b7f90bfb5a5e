package ogp.agent.link;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import ogp.protocol.files.OwnerOnlyFile;

/**
 * The agent's host key: 32 random bytes that prove, in every Hello, that this agent is the one that
 * first bound its host id on the server (the server keeps only their SHA-256). Made on the first
 * start in {@code <data-dir>/host-key} (mode 0600, 64 hex digits) and read on every later start, so
 * a restarted agent — or a second {@code ogp dev} on the same data dir — is the same host. A lost
 * key file means a new identity: an operator releases the host id on the server ({@code ogp hosts
 * release HOST}). Over plain TCP the key travels in clear; the agent link must be TLS beyond a
 * trusted network (see docs/security.md).
 */
public final class HostKey {
  /** The file name in the agent's data dir. */
  public static final String FILE = "host-key";

  static final int BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] bytes;

  private HostKey(byte[] bytes) {
    this.bytes = bytes.clone();
  }

  /** A fresh key kept in memory only (tests, simulated agents): a new identity every time. */
  public static HostKey random() {
    byte[] bytes = new byte[BYTES];
    RANDOM.nextBytes(bytes);
    return new HostKey(bytes);
  }

  /**
   * The key in {@code dataDir}, made there first if there is none.
   *
   * @throws IOException when the file cannot be read or written, or does not hold a key (the
   *     message says what to do)
   */
  public static HostKey loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      String text = Files.readString(file).strip();
      if (text.length() != 2 * BYTES || !text.chars().allMatch(HostKey::isHexDigit)) {
        throw new IOException(
            file
                + " does not hold a host key ("
                + 2 * BYTES
                + " hex digits); restore it from a backup, or delete it and release the host id on"
                + " the server (ogp hosts release HOST) so that the new key can bind it");
      }
      return new HostKey(HexFormat.of().parseHex(text));
    }
    HostKey key = random();
    OwnerOnlyFile.write(file, HexFormat.of().formatHex(key.bytes) + "\n");
    return key;
  }

  private static boolean isHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** A copy of the key's bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Never shows the key. */
  @Override
  public String toString() {
    return "HostKey[redacted]";
  }
}
