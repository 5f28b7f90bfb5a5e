package ogp.reconciler.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The one role enum of tokens and portal users: its spellings, and join kept apart. */
class RoleTest {
  @Test
  void rolesAreSpelledInLowerCaseEverywhere() {
    assertEquals(
        List.of("join", "viewer", "deployer", "admin"),
        Arrays.stream(Role.values()).map(Role::label).toList());
    for (Role role : Role.values())
      assertEquals(role, Role.parse(" " + role.label().toUpperCase(Locale.ROOT) + " "));
  }

  @Test
  void aTokenMayHoldJoinAPortalUserMayNot() {
    assertEquals(Role.JOIN, Role.parse("join"));
    var refused = assertThrows(IllegalArgumentException.class, () -> Role.parseUserRole("join"));
    assertEquals("unknown role 'join' (expected viewer, deployer or admin)", refused.getMessage());
    assertEquals(
        "unknown role 'root' (expected viewer, deployer or admin)",
        assertThrows(IllegalArgumentException.class, () -> Role.parseUserRole("root"))
            .getMessage());
    assertEquals(
        "unknown role 'root' (expected viewer, deployer, admin or join)",
        assertThrows(IllegalArgumentException.class, () -> Role.parse("root")).getMessage());
    for (Role role : List.of(Role.VIEWER, Role.DEPLOYER, Role.ADMIN)) {
      assertEquals(role, Role.parseUserRole(role.label()));
      assertTrue(role.isUserRole(), role.label());
      assertTrue(role.callsApi(), role.label());
    }
    assertFalse(Role.JOIN.isUserRole());
    assertFalse(Role.JOIN.callsApi());
  }
}
