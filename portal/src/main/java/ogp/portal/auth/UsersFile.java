package ogp.portal.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ogp.reconciler.auth.Role;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The named portal users, read from a YAML file (by default {@code <data-dir>/users.yaml}):
 *
 * <pre>
 * users:
 *   - name: alice
 *     email: alice@example.com
 *     role: deployer            # viewer | deployer | admin
 *     password: "$2a$12$..."    # bcrypt, from `ogp hash-password`
 * </pre>
 *
 * A file that does not parse, or has an entry without a name, a known role or a bcrypt hash, is
 * refused as a whole with a message naming the entry: a half-read users file would silently lock
 * people out or let the wrong ones in. {@code admin} is reserved for the admin-token login.
 */
public final class UsersFile {
  /** The file's name inside the server's data directory. */
  public static final String DEFAULT_NAME = "users.yaml";

  /** One entry of the file. */
  public record Entry(PortalUser user, String passwordHash) {}

  private UsersFile() {}

  /** Reads the file; a missing file means no named users. */
  public static Map<String, Entry> read(Path file) throws IOException {
    if (!Files.exists(file)) return Map.of();
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  static Map<String, Entry> parse(String text, String where) {
    Object root =
        new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build()).loadFromString(text);
    if (root == null) return Map.of();
    if (!(root instanceof Map<?, ?> top) || !(top.get("users") instanceof List<?> list)) {
      throw new IllegalArgumentException(where + ": expected a top-level 'users:' list");
    }
    Map<String, Entry> users = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = where + ": users[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> m)) {
        problems.add(at + ": expected a mapping with name, email, role, password");
        continue;
      }
      String name = text(m.get("name"));
      String email = text(m.get("email"));
      String role = text(m.get("role"));
      String hash = text(m.get("password"));
      if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")) {
        problems.add(at + ": 'name' must be 1-64 letters, digits, '.', '_', '@' or '-'");
        continue;
      }
      if (name.equals("admin")) {
        problems.add(at + ": the name 'admin' is reserved for the admin token");
        continue;
      }
      if (!seen.add(name)) problems.add(at + ": duplicate user '" + name + "'");
      if (!PasswordHashes.isBcrypt(hash))
        problems.add(at + " (" + name + "): 'password' must be a bcrypt hash (ogp hash-password)");
      Role parsed = null;
      try {
        parsed = Role.parseUserRole(role == null ? "" : role);
      } catch (IllegalArgumentException e) {
        problems.add(at + " (" + name + "): " + e.getMessage());
      }
      if (parsed != null && PasswordHashes.isBcrypt(hash)) {
        String mail = email == null || email.isBlank() ? name + "@ogp.local" : email;
        users.put(name, new Entry(new PortalUser(name, mail, parsed), hash));
      }
    }
    if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
    return Map.copyOf(users);
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }
}
