package ogp.reconciler.watch;

import java.time.Duration;

/**
 * Bounds of the watch stream.
 *
 * @param historySize changes retained for resuming; a resume from before them answers 410 Gone
 * @param historyBytes the most the retained changes' objects may hold; the oldest go first
 * @param bufferSize lines one watcher may have queued and unwritten before it is cut off
 * @param bufferBytes bytes one watcher may have queued and unwritten before it is cut off (the
 *     initial list is not queued: it is streamed from the hub's current objects as it is written)
 * @param bookmarkInterval how often every watcher gets a BOOKMARK with the current resource version
 * @param watchersPerToken open {@code /api/v1/watch} streams one API token may hold
 * @param watchers open {@code /api/v1/watch} streams in all (the portal's own watch not counted)
 */
public record WatchSettings(
    int historySize,
    long historyBytes,
    int bufferSize,
    long bufferBytes,
    Duration bookmarkInterval,
    int watchersPerToken,
    int watchers) {

  /** Watch streams one token may hold open by default: a CLI, a dashboard and a few scripts. */
  public static final int DEFAULT_WATCHERS_PER_TOKEN = 16;

  /** Watch streams the server holds open by default, whatever the tokens. */
  public static final int DEFAULT_WATCHERS = 1_000;

  public static final long DEFAULT_HISTORY_BYTES = 64L << 20;
  public static final long DEFAULT_BUFFER_BYTES = 8L << 20;

  public WatchSettings {
    positive(historySize, "historySize");
    positive(historyBytes, "historyBytes");
    positive(bufferSize, "bufferSize");
    positive(bufferBytes, "bufferBytes");
    positive(watchersPerToken, "watchersPerToken");
    positive(watchers, "watchers");
    if (bookmarkInterval.isNegative() || bookmarkInterval.isZero()) {
      throw new IllegalArgumentException("bookmarkInterval must be positive: " + bookmarkInterval);
    }
  }

  /** The given counts and interval, the default byte and watcher bounds. */
  public WatchSettings(int historySize, int bufferSize, Duration bookmarkInterval) {
    this(
        historySize,
        DEFAULT_HISTORY_BYTES,
        bufferSize,
        DEFAULT_BUFFER_BYTES,
        bookmarkInterval,
        DEFAULT_WATCHERS_PER_TOKEN,
        DEFAULT_WATCHERS);
  }

  /**
   * 10,000 changes and 64 MiB of history, 1,000 queued lines and 8 MiB per watcher, a bookmark
   * every 30 s, 16 watchers per token and 1,000 in all.
   */
  public static WatchSettings defaults() {
    return new WatchSettings(10_000, 1_000, Duration.ofSeconds(30));
  }

  public WatchSettings withWatcherLimits(int perToken, int total) {
    return new WatchSettings(
        historySize, historyBytes, bufferSize, bufferBytes, bookmarkInterval, perToken, total);
  }

  public WatchSettings withBytes(long history, long buffer) {
    return new WatchSettings(
        historySize, history, bufferSize, buffer, bookmarkInterval, watchersPerToken, watchers);
  }

  private static void positive(long value, String name) {
    if (value < 1) throw new IllegalArgumentException(name + " must be positive: " + value);
  }
}
