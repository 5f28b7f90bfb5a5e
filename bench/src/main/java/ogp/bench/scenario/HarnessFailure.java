package ogp.bench.scenario;

/**
 * The harness could not measure what it was asked to (agents did not connect, converge or come
 * back): a failure of the run, never a number in the table.
 */
public final class HarnessFailure extends RuntimeException {
  public HarnessFailure(String message) {
    super(message);
  }
}
