package ogp.protocol;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import ogp.protocol.v1.ContainerSpec;

/**
 * The identity of a container's configuration. Two specs with the same hash need no container
 * replacement; the hash is stored as the {@code ogp.spec-hash} label so a restarted agent can adopt
 * what it finds. Excluded on purpose: the revision (a commit that touches another app in the same
 * file must not restart a container whose configuration did not change) and the run state (running
 * and stopped are the same container, started or stopped in place).
 */
public final class SpecHash {
  /** One digest per thread, reset by each use: a plan hashes thousands of specs in a row. */
  private static final ThreadLocal<MessageDigest> SHA_256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-256 is required of every JVM", e);
            }
          });

  private SpecHash() {}

  /** Hex of the first 16 bytes of SHA-256 over the deterministic encoding (maps sorted by key). */
  public static String of(ContainerSpec spec) {
    return ofCanonical(spec.toBuilder().clearRevision().clearState().clearSpecHash().build());
  }

  /**
   * The hash of a spec that already has no revision, run state or spec hash, without copying it
   * first: for a builder that hashes the spec before it sets those fields.
   */
  public static String ofCanonical(ContainerSpec canonical) {
    if (!canonical.getRevision().isEmpty()
        || canonical.getStateValue() != 0
        || !canonical.getSpecHash().isEmpty()) {
      throw new IllegalArgumentException(
          "not canonical (revision, state or spec hash set): " + canonical);
    }
    try {
      byte[] bytes = new byte[canonical.getSerializedSize()];
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization();
      canonical.writeTo(out);
      out.checkNoSpaceLeft();
      byte[] digest = SHA_256.get().digest(bytes); // digest() resets it for the next use
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The spec with its spec_hash field set. */
  public static ContainerSpec withHash(ContainerSpec spec) {
    return spec.toBuilder().setSpecHash(of(spec)).build();
  }
}
