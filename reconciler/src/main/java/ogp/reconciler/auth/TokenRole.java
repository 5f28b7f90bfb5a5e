package ogp.reconciler.auth;

import java.util.Locale;

/**
 * What a token may do. {@link #JOIN} tokens only admit agents over the agent port and are never
 * API tokens. The API roles are ordered: a {@link #VIEWER} reads everything, a {@link #DEPLOYER}
 * also deploys versions, takes apps offline and online, rolls back and asks for a refresh, and an
 * {@link #ADMIN} may do everything, including changing where an app runs (its hosts).
 */
public enum TokenRole {
  JOIN,
  VIEWER,
  DEPLOYER,
  ADMIN;

  /** The role as written in the token store and on the command line. */
  public static TokenRole parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown role '" + text + "' (expected viewer, deployer, admin or join)");
    }
  }

  /** Whether a holder of this role may do what {@code needed} may do. */
  public boolean includes(TokenRole needed) {
    if (this == JOIN || needed == JOIN) return this == needed;
    return compareTo(needed) >= 0;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
