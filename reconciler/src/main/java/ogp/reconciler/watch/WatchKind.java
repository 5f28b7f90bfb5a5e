package ogp.reconciler.watch;

/** The kinds of objects on the watch stream, named as they appear in its {@code kind} field. */
public enum WatchKind {
  Revision,
  Host,
  App,
  Event
}
