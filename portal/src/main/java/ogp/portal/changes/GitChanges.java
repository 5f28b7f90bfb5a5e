package ogp.portal.changes;

import java.util.List;
import java.util.Optional;
import ogp.portal.auth.PortalUser;
import ogp.reconciler.changes.Actor;
import ogp.reconciler.changes.ChangeConflict;
import ogp.reconciler.changes.ChangeRefused;
import ogp.reconciler.changes.ChangeResult;
import ogp.reconciler.changes.ChangeService;
import ogp.reconciler.changes.HistoryEntry;
import ogp.reconciler.changes.InvalidChange;
import ogp.reconciler.changes.RollbackForbidden;
import ogp.reconciler.changes.UnknownApp;
import ogp.reconciler.source.GitSourceException;

/**
 * The portal's changes made by the reconciler's {@link ChangeService}, the same service the API
 * uses: the signed-in user is the commit's author and its {@code Ogp-Actor}, and a rollback may
 * change only what the user's role may. Refusals keep the API's statuses: 404 unknown app or
 * commit, 403 a rollback beyond the user's role, 409 conflict, 422 invalid result, 400 otherwise,
 * 502 when Git cannot be reached.
 */
public final class GitChanges implements FleetChanges {
  private final ChangeService service;

  public GitChanges(ChangeService service) {
    this.service = service;
  }

  @Override
  public String preview(ChangeRequest change, PortalUser user) {
    Actor actor = actor(user);
    return refusing(
        () -> {
          if (change instanceof ChangeRequest.Deploy d)
            return service
                .previewDeploy(d.app(), Optional.of(d.version()), Optional.empty(), actor)
                .diff();
          if (change instanceof ChangeRequest.Place p)
            return service
                .previewDeploy(p.app(), Optional.empty(), Optional.of(p.hosts()), actor)
                .diff();
          if (change instanceof ChangeRequest.Offline o)
            return service.previewOffline(o.app(), actor).diff();
          if (change instanceof ChangeRequest.Online o)
            return service.previewOnline(o.app(), actor).diff();
          ChangeRequest.Rollback r = (ChangeRequest.Rollback) change;
          return service
              .previewRollback(r.app(), Optional.of(r.commit()), actor, user.role())
              .diff();
        });
  }

  @Override
  public ChangeResult apply(ChangeRequest change, PortalUser user) {
    Actor actor = actor(user);
    return refusing(
        () -> {
          if (change instanceof ChangeRequest.Deploy d)
            return service.deploy(d.app(), Optional.of(d.version()), Optional.empty(), actor);
          if (change instanceof ChangeRequest.Place p)
            return service.deploy(p.app(), Optional.empty(), Optional.of(p.hosts()), actor);
          if (change instanceof ChangeRequest.Offline o) return service.offline(o.app(), actor);
          if (change instanceof ChangeRequest.Online o) return service.online(o.app(), actor);
          ChangeRequest.Rollback r = (ChangeRequest.Rollback) change;
          return service.rollback(r.app(), Optional.of(r.commit()), actor, user.role());
        });
  }

  @Override
  public List<HistoryEntry> history(String app) {
    return refusing(() -> service.history(app));
  }

  static Actor actor(PortalUser user) {
    return new Actor(user.name(), user.email(), user.name());
  }

  private interface Call<T> {
    T run();
  }

  private static <T> T refusing(Call<T> call) {
    try {
      return call.run();
    } catch (UnknownApp e) {
      throw new ChangeRefusal(404, e.getMessage());
    } catch (RollbackForbidden e) {
      throw new ChangeRefusal(403, e.getMessage());
    } catch (ChangeConflict e) {
      throw new ChangeRefusal(409, e.getMessage());
    } catch (InvalidChange e) {
      throw new ChangeRefusal(422, e.getMessage());
    } catch (ChangeRefused e) {
      throw new ChangeRefusal(400, e.getMessage());
    } catch (GitSourceException e) {
      throw new ChangeRefusal(502, e.getMessage());
    }
  }
}
