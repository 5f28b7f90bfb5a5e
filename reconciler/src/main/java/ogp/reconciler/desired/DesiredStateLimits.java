package ogp.reconciler.desired;

/**
 * The sane maxima of a desired state, checked by the reader with {@code file:line:col} errors
 * (docs/desired-state.md lists them). They keep one commit from asking the planner for millions of
 * containers or a host for more apps than an assignment frame can carry. What depends on the
 * agents' labels (selector placement) can only be known when planning; the reconciler then refuses
 * to send an over-limit assignment ({@code Protocol.MAX_ASSIGNMENT_BYTES}) and reports it.
 */
public final class DesiredStateLimits {
  /** {@code instances} of one app on one host. */
  public static final int MAX_INSTANCES = 100;

  /** Apps naming one host id in their {@code hosts:} list. */
  public static final int MAX_APPS_PER_HOST = 500;

  private DesiredStateLimits() {}
}
