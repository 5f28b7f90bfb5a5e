package ogp.reconciler.auth;

import java.util.Objects;

/**
 * Who presented a valid token: the token's name (the {@code Ogp-Actor} of its changes) and its
 * role.
 */
public record TokenGrant(String name, Role role) {
  public TokenGrant {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
  }
}
