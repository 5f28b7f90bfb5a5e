package ogp.reconciler.plan;

/** Whether what runs matches what Git says (SPEC §5.1). */
public enum SyncStatus {
  /** Every desired container runs with the desired spec, and nothing else of the app runs. */
  Synced,
  /** The agent has an assignment newer than its last report: it is converging. */
  Progressing,
  /** The agent reported converging to the latest assignment and still differs. */
  OutOfSync,
  /** The host is not connected, so what runs there is not known. */
  Unknown;

  /** The status of several parts: any difference wins over progress, progress over unknown. */
  static SyncStatus combine(SyncStatus a, SyncStatus b) {
    return rank(a) >= rank(b) ? a : b;
  }

  private static int rank(SyncStatus s) {
    return switch (s) {
      case Synced -> 0;
      case Unknown -> 1;
      case Progressing -> 2;
      case OutOfSync -> 3;
    };
  }
}
