package ogp.agent.runtime;

/**
 * An operation of the {@link ContainerRuntime} failed. The message is the engine's or registry's
 * own words (e.g. {@code manifest unknown}), prefixed with what was attempted, and is safe to show
 * to operators: it never contains credentials.
 */
public class RuntimeFailure extends RuntimeException {
  public RuntimeFailure(String message) {
    super(message);
  }

  public RuntimeFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
