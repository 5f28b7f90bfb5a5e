package ogp.reconciler.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ogp.reconciler.auth.Permission;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which permission an API call is by its method and path (a deploy with hosts adds PLACE in
 * ChangeRoutes).
 */
class ApiPermissionTest {
  @ParameterizedTest
  @CsvSource({
    "GET,    /api/v1/apps,                 READ,          viewer",
    "GET,    /api/v1/apps/web/history,     READ,          viewer",
    "GET,    /api/v1/watch,                READ,          viewer",
    "HEAD,   /api/v1/revision,             READ,          viewer",
    "GET,    /api/v1/nosuch,               READ,          viewer",
    "POST,   /api/v1/refresh,              REFRESH,       deployer",
    "POST,   /api/v1/revision/confirm,     CONFIRM_REVISION, admin",
    "POST,   /api/v1/apps/web/deploy,      DEPLOY,        deployer",
    "POST,   /api/v1/apps/web/offline,     SET_STATE,     deployer",
    "POST,   /api/v1/apps/web/online,      SET_STATE,     deployer",
    "POST,   /api/v1/apps/web/rollback,    ROLLBACK,      deployer",
    "POST,   /api/v1/apps/web/history,     ANYTHING_ELSE, admin",
    "POST,   /api/v1/apps/web/deployx,     ANYTHING_ELSE, admin",
    "POST,   /api/v1/apps/a/b/deploy,      ANYTHING_ELSE, admin",
    "POST,   /api/v1/refresh/now,          ANYTHING_ELSE, admin",
    "POST,   /api/v1/apps,                 ANYTHING_ELSE, admin",
    "PUT,    /api/v1/apps/web/deploy,      ANYTHING_ELSE, admin",
    "DELETE, /api/v1/apps/web,             ANYTHING_ELSE, admin",
    "POST,   /api/v1/hosts/db-1/release,   ANYTHING_ELSE, admin",
    "PUT,    /api/v1/hosts/db-1/labels,    ANYTHING_ELSE, admin",
  })
  void aCallIsAPermissionByItsMethodAndPath(
      String method, String path, Permission permission, String role) {
    assertEquals(permission, ApiRoutes.permission(method, path), method + " " + path);
    assertEquals(role, permission.needs().label());
  }
}
