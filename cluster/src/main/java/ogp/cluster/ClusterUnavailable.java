package ogp.cluster;

/** etcd did not answer within the call's timeout, or refused the call; nothing was changed. */
public final class ClusterUnavailable extends RuntimeException {
  public ClusterUnavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
