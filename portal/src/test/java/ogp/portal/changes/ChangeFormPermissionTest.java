package ogp.portal.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import ogp.reconciler.auth.Permission;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which permission each change of the app page is; placement is the admin's, as in the API. */
class ChangeFormPermissionTest {
  @ParameterizedTest
  @CsvSource({
    "deploy,   DEPLOY,    deployer",
    "offline,  SET_STATE, deployer",
    "online,   SET_STATE, deployer",
    "rollback, ROLLBACK,  deployer",
    "place,    PLACE,     admin",
  })
  void eachKindOfChangeIsItsPermission(String kind, Permission permission, String role) {
    Map<String, List<String>> form =
        Map.of("version", List.of("42"), "commit", List.of("abc123"), "hosts", List.of("h1"));
    assertEquals(permission, ChangeForm.permission(ChangeForm.parse(kind, "web", form)));
    assertEquals(role, permission.needs().label());
  }
}
