package ogp.protocol;

/** Constants of the reconciler-agent wire protocol shared by both sides. */
public final class Protocol {
  /** The version an agent announces in Hello; the server refuses any other. */
  public static final int VERSION = 1;

  /**
   * Largest frame either side accepts. An assignment of a few hundred containers is far below it;
   * anything larger is a broken or hostile peer and closes that connection only.
   */
  public static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;

  /**
   * Largest frame the server reads before it has welcomed the connection: a Hello with a host id, a
   * few dozen labels, the join token and the host key fits many times over, and a stranger without
   * the join token cannot make the server buffer more than this per connection.
   */
  public static final int HANDSHAKE_MAX_FRAME_BYTES = 8 * 1024;

  private Protocol() {}
}
