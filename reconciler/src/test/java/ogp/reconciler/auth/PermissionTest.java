package ogp.reconciler.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The table of which role each action needs, as docs/api.md, docs/portal.md and docs/security.md
 * tell users: a change here is a change of those documents too.
 */
class PermissionTest {
  @Test
  void eachActionNeedsTheDocumentedRole() {
    Map<Permission, Role> expected = new LinkedHashMap<>();
    expected.put(Permission.JOIN, Role.JOIN);
    expected.put(Permission.READ, Role.VIEWER);
    expected.put(Permission.REFRESH, Role.DEPLOYER);
    expected.put(Permission.DEPLOY, Role.DEPLOYER);
    expected.put(Permission.SET_STATE, Role.DEPLOYER);
    expected.put(Permission.ROLLBACK, Role.DEPLOYER);
    expected.put(Permission.ROLLBACK_ANY_FIELD, Role.ADMIN);
    expected.put(Permission.PLACE, Role.ADMIN);
    expected.put(Permission.CONFIRM_REVISION, Role.ADMIN);
    expected.put(Permission.ANYTHING_ELSE, Role.ADMIN);
    assertEquals(
        Set.of(Permission.values()), expected.keySet(), "every permission is in this table");
    expected.forEach(
        (permission, role) -> assertEquals(role, permission.needs(), permission.name()));
  }

  @Test
  void aChangeFormNeedsAtLeastADeployer() {
    assertEquals(Role.DEPLOYER, Permission.leastForAChange());
  }

  @Test
  void joinTokensOnlyJoinAndPeopleNeverJoin() {
    for (Permission permission : Permission.values()) {
      assertEquals(permission == Permission.JOIN, permission.allows(Role.JOIN), permission.name());
      if (permission != Permission.JOIN)
        assertTrue(permission.allows(Role.ADMIN), permission.name());
    }
    for (Role role : Role.values()) {
      if (role.isUserRole()) assertFalse(Permission.JOIN.allows(role), role.label());
    }
  }
}
