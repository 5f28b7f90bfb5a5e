package ogp.portal.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import ogp.reconciler.auth.Role;
import ogp.reconciler.auth.TokenGrant;
import ogp.reconciler.auth.TokenVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may sign in to the portal: user {@code admin} with the server's admin token as password (a
 * valid token named {@code admin} with role admin, so a rotated admin token works at once and the
 * old one until its grace ends; role admin, commit author {@code admin}), and the named users of a
 * {@link UsersFile}.
 *
 * <p>The users file is read again when its modification time changes, so adding a user needs no
 * restart. A file that turns invalid keeps the last valid list (and logs why), rather than locking
 * everybody out. Unknown names cost as much time as wrong passwords.
 *
 * <p>A sign-in yields a {@link SignedIn}: the user and a fingerprint of the credential used (the
 * SHA-256 of the admin token, or of the user's bcrypt hash), never the password. {@link #recheck}
 * answers for a live session: the user as the directory has them now, or empty once the user is
 * gone, the admin token revoked or expired, or the password changed.
 */
public final class UserDirectory {
  private static final Logger log = LoggerFactory.getLogger(UserDirectory.class);
  public static final String ADMIN = "admin";

  private static final TokenGrant ADMIN_GRANT = new TokenGrant(ADMIN, Role.ADMIN);

  private final TokenVerifier tokens;
  private final Path usersFile;
  private Map<String, UsersFile.Entry> users = Map.of();
  private FileTime readAt;

  /**
   * @param usersFile the named users' file, or null for the admin login only
   */
  public UserDirectory(TokenVerifier tokens, Path usersFile) throws IOException {
    this.tokens = tokens;
    this.usersFile = usersFile;
    if (usersFile != null) {
      try {
        users = UsersFile.read(usersFile);
      } catch (RuntimeException e) { // a broken file at start is an error the operator must see
        throw new IOException(
            "the portal users file "
                + usersFile
                + " is not valid: "
                + e.getMessage()
                + "; fix it (ogp hash-password makes an entry), or move it aside to start with"
                + " the admin sign-in only",
            e);
      }
      readAt = modified();
    }
  }

  /**
   * A successful sign-in: the user and the fingerprint of the credential they signed in with.
   *
   * @param credential {@code token:<sha256 of the admin token>} or {@code bcrypt:<sha256 of the
   *     password hash>}; no secret, but it changes when the token or password does
   */
  public record SignedIn(PortalUser user, String credential) {}

  private static final PortalUser ADMIN_USER = new PortalUser(ADMIN, "admin@ogp.local", Role.ADMIN);
  private static final String TOKEN = "token:";
  private static final String BCRYPT = "bcrypt:";

  /** The user whose name and password match, if any. */
  public Optional<SignedIn> authenticate(String name, String password) {
    if (name == null || password == null) return Optional.empty();
    char[] secret = password.toCharArray();
    if (name.equals(ADMIN)) {
      return tokens.verify(password).filter(ADMIN_GRANT::equals).isPresent()
          ? Optional.of(new SignedIn(ADMIN_USER, TOKEN + TokenVerifier.digest(password)))
          : Optional.empty();
    }
    UsersFile.Entry entry = entries().get(name);
    if (entry == null) {
      PasswordHashes.burn(secret);
      return Optional.empty();
    }
    return PasswordHashes.matches(secret, entry.passwordHash())
        ? Optional.of(new SignedIn(entry.user(), BCRYPT + fingerprint(entry)))
        : Optional.empty();
  }

  /**
   * The user a session signed in as, as the directory has them now (the role may have changed);
   * empty when the user was removed, the admin token they signed in with is no longer valid, or
   * their password hash changed. Cheap: no bcrypt.
   */
  public Optional<PortalUser> recheck(String name, String credential) {
    if (name == null || credential == null) return Optional.empty();
    if (name.equals(ADMIN)) {
      return credential.startsWith(TOKEN)
              && tokens
                  .verifyDigest(credential.substring(TOKEN.length()))
                  .filter(ADMIN_GRANT::equals)
                  .isPresent()
          ? Optional.of(ADMIN_USER)
          : Optional.empty();
    }
    UsersFile.Entry entry = entries().get(name);
    if (entry == null) return Optional.empty();
    return MessageDigest.isEqual(
            (BCRYPT + fingerprint(entry)).getBytes(StandardCharsets.US_ASCII),
            credential.getBytes(StandardCharsets.US_ASCII))
        ? Optional.of(entry.user())
        : Optional.empty();
  }

  private static String fingerprint(UsersFile.Entry entry) {
    return TokenVerifier.digest(entry.passwordHash());
  }

  private synchronized Map<String, UsersFile.Entry> entries() {
    if (usersFile == null) return users;
    FileTime now = modified();
    if (now != null && !now.equals(readAt)) {
      try {
        users = UsersFile.read(usersFile);
        log.info("portal users re-read from {}: {} user(s)", usersFile, users.size());
      } catch (IOException | RuntimeException e) {
        log.warn(
            "portal users file {} is not valid, keeping the previous list: {}",
            usersFile,
            e.getMessage());
      }
      readAt = now;
    } else if (now == null) {
      users = Map.of(); // removed: nobody but admin
      readAt = null;
    }
    return users;
  }

  private FileTime modified() {
    try {
      return Files.getLastModifiedTime(usersFile);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return readAt;
    }
  }
}
