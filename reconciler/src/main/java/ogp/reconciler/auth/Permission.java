package ogp.reconciler.auth;

import java.util.Arrays;

/**
 * Which role each action needs: the one table read by the API ({@code ApiRoutes} maps a call to its
 * permission, {@code ChangeRoutes} adds {@link #PLACE} for a deploy with hosts; the change service
 * asks {@link #ROLLBACK_ANY_FIELD} of a rollback that changes more than a version and state), the
 * portal (its change forms and the app page's buttons) and the agent port's Hello check. A holder
 * of a role may do what the role {@linkplain Role#includes includes}. docs/api.md, docs/portal.md
 * and docs/security.md describe this table for users.
 */
public enum Permission {
  /** An agent's Hello on the agent port: a join token, and no other. */
  JOIN(Role.JOIN, false),
  /**
   * Every API {@code GET} and {@code HEAD} (revision, apps, app, history, hosts, events, watch);
   * every portal page.
   */
  READ(Role.VIEWER, false),
  /** {@code POST /api/v1/refresh}: fetch the repository now. */
  REFRESH(Role.DEPLOYER, false),
  /** Set an app's version: an API {@code deploy} with a version, the portal's deploy. */
  DEPLOY(Role.DEPLOYER, true),
  /** Take an app offline or bring it online. */
  SET_STATE(Role.DEPLOYER, true),
  /**
   * Revert a commit of an app where the revert changes only the app's {@code version} and/or {@code
   * state} (what {@link #DEPLOY} and {@link #SET_STATE} may change).
   */
  ROLLBACK(Role.DEPLOYER, true),
  /**
   * Revert a commit of an app where the revert changes more of the app's document than its version
   * and state (its hosts or selector, image, env, ports, ...), or removes the document: a rollback
   * can change nothing its caller could not change directly.
   */
  ROLLBACK_ANY_FIELD(Role.ADMIN, true),
  /**
   * Change the hosts an app runs on (an API {@code deploy} with hosts, the portal's place):
   * placement moves load between machines.
   */
  PLACE(Role.ADMIN, true),
  /**
   * Apply a revision held because it would remove many of the fleet's containers ({@code POST
   * /api/v1/revision/confirm}, the portal's Confirm): it overrides a safety stop for the whole
   * fleet.
   */
  CONFIRM_REVISION(Role.ADMIN, false),
  /** Any other API call: an admin may do everything. */
  ANYTHING_ELSE(Role.ADMIN, false);

  private final Role needs;
  private final boolean change;

  Permission(Role needs, boolean change) {
    this.needs = needs;
    this.change = change;
  }

  /** The least role that may do this. */
  public Role needs() {
    return needs;
  }

  /** Whether this is a change of the desired state (a commit). */
  public boolean isChange() {
    return change;
  }

  /** Whether a holder of {@code role} may do this. */
  public boolean allows(Role role) {
    return role.includes(needs);
  }

  /** The least role that may make some change: what a change needs before its kind is known. */
  public static Role leastForAChange() {
    return Arrays.stream(values())
        .filter(Permission::isChange)
        .map(Permission::needs)
        .min(Enum::compareTo)
        .orElseThrow();
  }
}
