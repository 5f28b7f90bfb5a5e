package ogp.portal.fleet;

import java.util.List;
import java.util.Optional;
import ogp.reconciler.control.AppliedRevision;
import ogp.reconciler.control.FleetReadModel;
import ogp.reconciler.control.HeldRevision;
import ogp.reconciler.control.InvalidRevision;
import ogp.reconciler.desired.App;
import ogp.reconciler.plan.AppStatus;
import ogp.reconciler.plan.HostStatus;

/**
 * What the portal reads of the fleet: the reconciler's status views and the applied revision. An
 * interface so page tests can render fixed states; {@link #of(FleetReadModel)} is the real one.
 * Every call is cheap (in-memory views) and safe from any thread.
 */
public interface FleetView {
  List<AppStatus> apps();

  Optional<AppStatus> app(String name);

  List<HostStatus> hosts();

  Optional<AppliedRevision> applied();

  Optional<InvalidRevision> invalid();

  /** The revision held because it would remove many containers, until an admin confirms it. */
  default Optional<HeldRevision> held() {
    return Optional.empty();
  }

  /** The app as the applied revision declares it (placement, image, state). */
  default Optional<App> desired(String name) {
    return applied().flatMap(r -> r.state().app(name));
  }

  static FleetView of(FleetReadModel fleet) {
    return new FleetView() {
      @Override
      public List<AppStatus> apps() {
        return fleet.apps();
      }

      @Override
      public Optional<AppStatus> app(String name) {
        return fleet.app(name);
      }

      @Override
      public List<HostStatus> hosts() {
        return fleet.hosts();
      }

      @Override
      public Optional<AppliedRevision> applied() {
        return fleet.source().applied();
      }

      @Override
      public Optional<InvalidRevision> invalid() {
        return fleet.source().invalid();
      }

      @Override
      public Optional<HeldRevision> held() {
        return fleet.source().held();
      }
    };
  }
}
