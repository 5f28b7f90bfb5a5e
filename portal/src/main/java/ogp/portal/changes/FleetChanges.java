package ogp.portal.changes;

import java.util.List;
import ogp.portal.auth.PortalUser;

/**
 * The commit-producing changes the portal offers, as the portal needs them: the diff a change would
 * commit, the commit itself (authored by the signed-in user), and an app's history from Git. Bound
 * to the reconciler's change service by the server; both methods throw {@link ChangeRefusal} when
 * the change cannot be made, and then nothing is committed.
 */
public interface FleetChanges {
  /** The unified diff of the commit {@code change} would make now, without making it. */
  String preview(ChangeRequest change, PortalUser actor);

  /** Makes and pushes the commit; returns its sha. */
  String apply(ChangeRequest change, PortalUser actor);

  /** The commits that changed the app, newest first, at most {@code limit}. */
  List<HistoryEntry> history(String app, int limit);

  /** For a server without a change service: every change is refused, history is empty. */
  static FleetChanges unavailable() {
    return new FleetChanges() {
      @Override
      public String preview(ChangeRequest change, PortalUser actor) {
        throw new ChangeRefusal(503, "changes are not available on this server");
      }

      @Override
      public String apply(ChangeRequest change, PortalUser actor) {
        throw new ChangeRefusal(503, "changes are not available on this server");
      }

      @Override
      public List<HistoryEntry> history(String app, int limit) {
        return List.of();
      }
    };
  }
}
