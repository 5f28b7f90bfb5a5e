package ogp.portal.view;

import ogp.reconciler.plan.AppStatus;
import ogp.reconciler.plan.RolloutStatus;

/**
 * What the apps grid and the app page both show of an app: what Git says, its combined badges, and
 * where its health-gated rollout stands ({@code rollout} is null without one, or once it is
 * complete).
 */
public record AppSummary(
    String name,
    String image,
    String desiredVersion,
    String state,
    boolean absent,
    String placement,
    Badge sync,
    Badge health,
    String rollout,
    boolean rolloutFailed) {

  public static AppSummary of(AppStatus a) {
    boolean shown = a.rollout() != null && !RolloutStatus.COMPLETE.equals(a.rollout().phase());
    return new AppSummary(
        a.app(),
        a.image(),
        a.desiredVersion(),
        a.desiredState(),
        "absent".equals(a.desiredState()),
        a.placement(),
        Badge.of(a.sync()),
        Badge.of(a.health()),
        shown ? a.rollout().message() : null,
        shown && a.rollout().hasFailed());
  }
}
