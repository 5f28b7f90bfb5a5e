package ogp.portal.changes;

import java.util.List;
import ogp.portal.auth.PortalUser;
import ogp.reconciler.changes.ChangeResult;
import ogp.reconciler.changes.HistoryEntry;

/**
 * The commit-producing changes the portal offers, as the portal needs them: the diff a change would
 * commit, the commit itself (authored by the signed-in user), and an app's history from Git. {@link
 * GitChanges} binds it to the reconciler's change service; page tests use a fixed one. Every method
 * throws {@link ChangeRefusal} when it cannot do what was asked, and then nothing is committed.
 */
public interface FleetChanges {
  /** The unified diff of the commit {@code change} would make now (empty: nothing would change). */
  String preview(ChangeRequest change, PortalUser actor);

  /** Makes and pushes the commit. */
  ChangeResult apply(ChangeRequest change, PortalUser actor);

  /** The commits that changed the app, newest first. */
  List<HistoryEntry> history(String app);
}
