package ogp.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Payloads in the providers' documented shapes, under {@code src/test/resources/payloads}. */
final class Fixtures {
  private Fixtures() {}

  static byte[] payload(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/payloads/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture payloads/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
