package ogp.reconciler.testing;

/** Byte arrays for building hostile inputs. */
public final class Bytes {
  private Bytes() {}

  /** The parts one after the other. */
  public static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) length += part.length;
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }
}
