package ogp.portal.auth;

import java.util.Locale;

/**
 * What a portal user may do. Viewers read every page; deployers also deploy versions, take apps
 * offline and online and roll back; admins also change where an app runs (its hosts), because a
 * placement change moves load between machines.
 */
public enum Role {
  VIEWER,
  DEPLOYER,
  ADMIN;

  /** The role named in the users file ({@code viewer}, {@code deployer}, {@code admin}). */
  public static Role parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown role '" + text + "' (expected viewer, deployer or admin)");
    }
  }

  /** Whether this role includes everything {@code needed} may do (roles are ordered). */
  public boolean includes(Role needed) {
    return compareTo(needed) >= 0;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
