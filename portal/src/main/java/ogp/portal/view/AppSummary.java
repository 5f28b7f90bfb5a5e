package ogp.portal.view;

import ogp.reconciler.plan.AppStatus;

/** What the apps grid and the app page both show of an app: what Git says, and its combined badges. */
public record AppSummary(
    String name, String image, String desiredVersion, String state, boolean absent, String placement, Badge sync, Badge health) {

  public static AppSummary of(AppStatus a) {
    return new AppSummary(a.app(), a.image(), a.desiredVersion(), a.desiredState(), "absent".equals(a.desiredState()), a.placement(),
        Badge.of(a.sync()), Badge.of(a.health()));
  }
}
