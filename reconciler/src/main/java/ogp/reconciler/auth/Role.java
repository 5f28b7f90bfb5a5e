package ogp.reconciler.auth;

import java.util.Locale;

/**
 * The role of an API token, a join token or a portal user. {@link #JOIN} is a token's role only: it
 * admits agents over the agent port, calls no API ({@link #callsApi()}) and is never a portal
 * user's role ({@link #isUserRole()}). The other roles are ordered, each including the one before
 * it: {@link #VIEWER}, {@link #DEPLOYER}, {@link #ADMIN}. Which role each action needs is stated
 * once, in {@link Permission}.
 */
public enum Role {
  JOIN,
  VIEWER,
  DEPLOYER,
  ADMIN;

  /**
   * A token's role as written in the token store and on the command line (any role, {@code join}
   * included).
   */
  public static Role parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown role '" + text + "' (expected viewer, deployer, admin or join)");
    }
  }

  /**
   * A portal user's role as written in the users file and given to {@code ogp hash-password}
   * ({@code viewer}, {@code deployer}, {@code admin}): {@code join} is refused like an unknown
   * role.
   */
  public static Role parseUserRole(String text) {
    Role role;
    try {
      role = valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      role = null;
    }
    if (role == null || !role.isUserRole()) {
      throw new IllegalArgumentException(
          "unknown role '" + text + "' (expected viewer, deployer or admin)");
    }
    return role;
  }

  /**
   * Whether a portal user may hold this role (users file, {@code ogp hash-password}): every role
   * but {@link #JOIN}.
   */
  public boolean isUserRole() {
    return this != JOIN;
  }

  /**
   * Whether a token of this role may call the API: every role but {@link #JOIN}, whose tokens admit
   * agents and nothing else.
   */
  public boolean callsApi() {
    return this != JOIN;
  }

  /** Whether a holder of this role may do what {@code needed} may do. */
  public boolean includes(Role needed) {
    if (this == JOIN || needed == JOIN) return this == needed;
    return compareTo(needed) >= 0;
  }

  /** The role as written in files, on the command line and in API answers: {@code viewer}, ... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
