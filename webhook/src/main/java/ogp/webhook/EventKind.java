package ogp.webhook;

/** What a verified delivery is about, as far as the reconciler cares. */
enum EventKind {
  PUSH,
  /** A provider checking that the hook is reachable and configured: answered 200. */
  PING,
  /** Anything else the hook was set to send (issues, pull requests, ...): ignored. */
  OTHER
}
