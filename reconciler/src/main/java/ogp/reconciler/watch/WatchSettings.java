package ogp.reconciler.watch;

import java.time.Duration;

/**
 * Bounds of the watch stream.
 *
 * @param historySize changes retained for resuming; a resume from before them answers 410 Gone
 * @param bufferSize lines one watcher may have queued and unwritten before it is cut off
 * @param bookmarkInterval how often every watcher gets a BOOKMARK with the current resource version
 */
public record WatchSettings(int historySize, int bufferSize, Duration bookmarkInterval) {
  public WatchSettings {
    if (historySize < 1)
      throw new IllegalArgumentException("historySize must be positive: " + historySize);
    if (bufferSize < 1)
      throw new IllegalArgumentException("bufferSize must be positive: " + bufferSize);
    if (bookmarkInterval.isNegative() || bookmarkInterval.isZero()) {
      throw new IllegalArgumentException("bookmarkInterval must be positive: " + bookmarkInterval);
    }
  }

  /** 10,000 changes of history, 1,000 queued lines per watcher, a bookmark every 30 s. */
  public static WatchSettings defaults() {
    return new WatchSettings(10_000, 1_000, Duration.ofSeconds(30));
  }
}
