package ogp.portal.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;

/**
 * Password hashes of the users file: bcrypt ({@code $2a$}/{@code $2b$}/{@code $2y$}, cost 12 for
 * new hashes), as {@code htpasswd -B} and most tools write them, so an operator may create them
 * with either {@code ogp hash-password} or a tool they already trust.
 */
public final class PasswordHashes {
  /** About a quarter of a second on a current core: slow for guessing, fine for a login. */
  public static final int COST = 12;

  /**
   * A well-formed hash of a random password, verified when the user is unknown so that an unknown
   * name takes as long as a wrong password (no user enumeration through timing).
   */
  private static final String DUMMY = hash("no user has this password".toCharArray());

  private PasswordHashes() {}

  public static String hash(char[] password) {
    return BCrypt.withDefaults().hashToString(COST, password);
  }

  /** Whether {@code password} matches {@code hash}; false for a malformed hash. */
  public static boolean matches(char[] password, String hash) {
    try {
      return BCrypt.verifyer().verify(password, hash.getBytes(StandardCharsets.UTF_8)).verified;
    } catch (IllegalArgumentException malformed) {
      return false;
    }
  }

  /** Spends the time of one verification, for a name that has no hash. */
  static void burn(char[] password) {
    matches(password, DUMMY);
  }

  /** Whether the text looks like a bcrypt hash this class can verify. */
  public static boolean isBcrypt(String hash) {
    return hash != null && hash.matches("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
  }
}
