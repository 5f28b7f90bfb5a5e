package ogp.reconciler.changes;

import java.util.Objects;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * Who asks for a change: becomes the commit's author, and {@code displayName} the {@code Ogp-Actor}
 * trailer (a user name, or a token's name such as {@code admin}).
 */
public record Actor(String name, String email, String displayName) {
  public Actor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(displayName, "displayName");
    if (name.isBlank()
        || displayName.isBlank()
        || displayName.contains("\n")
        || name.contains("\n")) {
      throw new IllegalArgumentException(
          "actor names must be one non-blank line: " + name + " / " + displayName);
    }
  }

  /** The server itself, e.g. for an automatic rollback (SPEC: actor {@code ogp}). */
  public static final Actor OGP = new Actor("ogp", "ogp@localhost", "ogp");

  /** The actor for API calls made with a named token, e.g. {@code token("admin")}. */
  public static Actor token(String tokenName) {
    return new Actor(tokenName, tokenName + "@ogp.local", tokenName);
  }

  PersonIdent ident() {
    return new PersonIdent(name, email);
  }
}
