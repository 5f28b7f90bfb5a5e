package ogp.portal.auth;

import java.util.Objects;
import ogp.reconciler.auth.Permission;
import ogp.reconciler.auth.Role;

/**
 * A signed-in portal user: the name and e-mail become the author of every commit the user makes.
 */
public record PortalUser(String name, String email, Role role) implements java.io.Serializable {
  public PortalUser {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(role, "role");
  }

  public boolean may(Permission permission) {
    return permission.allows(role);
  }
}
