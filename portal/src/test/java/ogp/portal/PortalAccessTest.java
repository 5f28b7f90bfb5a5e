package ogp.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import ogp.portal.auth.PasswordHashes;
import ogp.reconciler.plan.HealthStatus;
import ogp.reconciler.plan.SyncStatus;
import ogp.reconciler.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Login, sessions, roles and CSRF of the portal over real HTTP. */
class PortalAccessTest {
  @TempDir Path tmp;
  private PortalServer server;
  private String daveHash;

  @BeforeEach
  void start() throws Exception {
    Path users = tmp.resolve("users.yaml");
    daveHash = PasswordHashes.hash("dave-pw".toCharArray());
    Files.writeString(
        users,
        """
        users:
          - name: vera
            email: vera@example.com
            role: viewer
            password: "%s"
          - name: dave
            email: dave@example.com
            role: deployer
            password: "%s"
        """
            .formatted(PasswordHashes.hash("vera-pw".toCharArray()), daveHash));
    server = new PortalServer(users);
    server.fleet.apps =
        List.of(
            FixedFleet.app(
                "web", "42", SyncStatus.OutOfSync, HealthStatus.Progressing, "h1", "41"));
    server.fleet.hosts = List.of(FixedFleet.host("h1"));
    server.fleet.history =
        List.of(FixedFleet.entry("1111222233334444", "Alice", "Deploy web 42", "41", "42"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void everyPageRedirectsToTheLoginWithoutASession() throws Exception {
    var b = server.browser();
    for (String page : List.of("/", "/apps", "/apps/web", "/hosts", "/events")) {
      HttpResponse<String> r = b.get(page);
      assertEquals(302, r.statusCode(), page);
      String location = r.headers().firstValue("Location").orElse("");
      assertTrue(
          location.startsWith("/login") || location.equals("/apps"), page + " -> " + location);
    }
    assertEquals(401, b.get("/live").statusCode(), "the live stream needs a session too");
  }

  @Test
  void adminTokenIsThePasswordOfUserAdmin() throws Exception {
    var b = server.browser().signIn("admin", PortalServer.ADMIN_TOKEN);
    HttpResponse<String> apps = b.get("/apps");
    assertEquals(200, apps.statusCode());
    assertTrue(apps.body().contains("data-app=\"web\""), apps.body());
  }

  @Test
  void wrongPasswordAndUnknownUserAreRefusedAlike() throws Exception {
    var b = server.browser();
    b.get("/login");
    HttpResponse<String> wrong = b.submit("/login", Map.of("name", "vera", "password", "nope"));
    HttpResponse<String> unknown = b.submit("/login", Map.of("name", "nobody", "password", "nope"));
    assertEquals(401, wrong.statusCode());
    assertEquals(401, unknown.statusCode());
    assertTrue(wrong.body().contains("Wrong user name or password."));
    assertEquals(302, b.get("/apps").statusCode(), "still signed out");
  }

  @Test
  void sessionCookieIsHttpOnlyAndSameSiteLaxAndNotSecureOverPlainHttp() throws Exception {
    var b = server.browser();
    b.get("/login");
    HttpResponse<String> login =
        b.submit("/login", Map.of("name", "vera", "password", "vera-pw", "next", "/apps"));
    assertEquals(302, login.statusCode(), login.body());
    String cookie = cookie(login, "OGP_SESSION");
    assertTrue(cookie.contains("HttpOnly"), cookie);
    assertTrue(cookie.toLowerCase().contains("samesite=lax"), cookie);
    assertFalse(cookie.toLowerCase().contains("secure"), "plain HTTP, no proxy: " + cookie);
    assertTrue(
        login.headers().firstValue("Strict-Transport-Security").isEmpty(), "no HSTS over http");
  }

  @Test
  void withSecureCookiesTheSessionAndLoginCookiesAreSecureOverAPlainHttpHop() throws Exception {
    try (PortalServer proxied =
        new PortalServer(
            tmp.resolve("users.yaml"),
            java.time.Clock.systemUTC(),
            PortalSettings.defaults().withSecureCookies(true))) {
      var b = proxied.browser();
      HttpResponse<String> form = b.get("/login");
      String loginCookie = cookie(form, "OGP_LOGIN");
      assertTrue(loginCookie.toLowerCase().contains("secure"), loginCookie);
      assertTrue(loginCookie.contains("HttpOnly"), loginCookie);
      // A TLS-terminating proxy forwards plain HTTP; the JDK client keeps Secure cookies for
      // https only, so the test carries the login cookie by hand.
      String value = loginCookie.substring(0, loginCookie.indexOf(';'));
      HttpResponse<String> login =
          b.client.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(proxied.base() + "/login"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .header("Cookie", value)
                  .header("Origin", proxied.base())
                  .POST(
                      java.net.http.HttpRequest.BodyPublishers.ofString(
                          "name=vera&password=vera-pw&next=%2Fapps&_csrf=" + b.csrf))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(302, login.statusCode(), login.body());
      String session = cookie(login, "OGP_SESSION");
      assertTrue(session.toLowerCase().contains("secure"), session);
      assertTrue(session.contains("HttpOnly"), session);
      assertTrue(session.toLowerCase().contains("samesite=lax"), session);
    }
  }

  private static String cookie(HttpResponse<String> response, String name) {
    return response.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith(name + "="))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + response.headers().map()));
  }

  @Test
  void aHeldRevisionIsABannerWhoseConfirmButtonOnlyAnAdminGetsAndUses() throws Exception {
    server.fleet.holdARevision();
    var dave = server.browser().signIn("dave", "dave-pw");
    HttpResponse<String> asDeployer = dave.get("/apps");
    assertTrue(asDeployer.body().contains("id=\"held-banner\""), asDeployer.body());
    assertTrue(
        asDeployer.body().contains("would remove 5 of 5 containers (threshold 50%)"),
        asDeployer.body());
    assertFalse(asDeployer.body().contains("id=\"confirm-held\""), "no button for a deployer");
    HttpResponse<String> refused =
        dave.submit("/revision/confirm", Map.of("revision", FixedFleet.HELD_SHA));
    assertEquals(403, refused.statusCode(), refused.body());
    assertTrue(server.fleet.confirmed.isEmpty());

    var admin = server.browser().signIn("admin", PortalServer.ADMIN_TOKEN);
    HttpResponse<String> page = admin.get("/apps");
    assertTrue(page.body().contains("id=\"confirm-held\""), page.body());
    HttpResponse<String> forged =
        admin.post(
            "/revision/confirm",
            Map.of("revision", FixedFleet.HELD_SHA, "_csrf", "forged"),
            server.base());
    assertEquals(403, forged.statusCode(), "CSRF-checked like every portal action");
    assertTrue(server.fleet.confirmed.isEmpty());

    HttpResponse<String> confirmed =
        admin.submit("/revision/confirm", Map.of("revision", FixedFleet.HELD_SHA));
    assertEquals(303, confirmed.statusCode(), confirmed.body());
    assertEquals(List.of(FixedFleet.HELD_SHA + " by admin"), server.fleet.confirmed);
    HttpResponse<String> after = admin.get("/apps");
    assertTrue(after.body().contains("Confirmed revision 0123456"), after.body());
    assertFalse(after.body().contains("id=\"held-banner\""), after.body());

    HttpResponse<String> again =
        admin.submit("/revision/confirm", Map.of("revision", FixedFleet.HELD_SHA));
    assertEquals(303, again.statusCode());
    assertTrue(
        admin.get("/apps").body().contains("is no longer held"), "a stale confirm applies nothing");
  }

  @Test
  void postWithoutTheCsrfTokenIsRefusedAndCommitsNothing() throws Exception {
    var b = server.browser().signIn("dave", "dave-pw");
    HttpResponse<String> r =
        b.post("/apps/web/actions/deploy", Map.of("version", "43"), server.base());
    assertEquals(403, r.statusCode());
    assertTrue(r.body().contains("CSRF"), r.body());
    HttpResponse<String> wrongToken =
        b.post(
            "/apps/web/actions/deploy", Map.of("version", "43", "_csrf", "forged"), server.base());
    assertEquals(403, wrongToken.statusCode());
    assertTrue(server.fleet.applied_.isEmpty(), "nothing committed");
  }

  @Test
  void postFromAnotherOriginIsRefusedEvenWithTheToken() throws Exception {
    var b = server.browser().signIn("dave", "dave-pw");
    HttpResponse<String> r =
        b.post(
            "/apps/web/actions/deploy",
            Map.of("version", "43", "_csrf", b.csrf),
            "https://evil.example");
    assertEquals(403, r.statusCode());
    assertTrue(r.body().contains("another site"), r.body());
    assertTrue(server.fleet.applied_.isEmpty());
  }

  @Test
  void deployerCommitsAsThemselvesAfterThePreview() throws Exception {
    var b = server.browser().signIn("dave", "dave-pw");
    b.get("/apps/web");
    HttpResponse<String> preview = b.submit("/apps/web/preview/deploy", Map.of("version", "43"));
    assertEquals(200, preview.statusCode());
    assertTrue(
        preview.body().contains("+version: &quot;42&quot;")
            || preview.body().contains("+version: \"42\""),
        preview.body());
    assertTrue(server.fleet.applied_.isEmpty(), "a preview commits nothing");
    HttpResponse<String> commit = b.submit("/apps/web/actions/deploy", Map.of("version", "43"));
    assertEquals(303, commit.statusCode());
    assertEquals(List.of("Deploy web version 43"), server.fleet.applied_);
    assertEquals(List.of("dave <dave@example.com>"), server.fleet.actors);
    assertTrue(
        b.get("/apps/web").body().contains("Committed c0ffee00 as dave: Deploy web version 43"),
        "the flash names the commit");
  }

  @Test
  void aLiveFragmentFetchedBeforeThePageLeavesTheFlashForThePage() throws Exception {
    var b = server.browser().signIn("dave", "dave-pw");
    b.get("/apps/web");
    assertEquals(303, b.submit("/apps/web/actions/deploy", Map.of("version", "43")).statusCode());
    // The old page's live signal can fetch its fragment while the browser follows the redirect.
    assertFalse(b.get("/apps/web?fragment=live").body().contains("Committed c0ffee00"));
    assertTrue(
        b.get("/apps/web").body().contains("Committed c0ffee00 as dave: Deploy web version 43"),
        "the flash is still there");
  }

  @Test
  void viewerSeesNoActionsAndCannotPostThem() throws Exception {
    var b = server.browser().signIn("vera", "vera-pw");
    String page = b.get("/apps/web").body();
    assertFalse(page.contains("id=\"actions\""), "no action panel");
    assertFalse(page.contains("rollback-button"), "no roll back buttons");
    HttpResponse<String> r =
        b.submit("/apps/web/actions/rollback", Map.of("commit", "1111222233334444"));
    assertEquals(403, r.statusCode());
    assertTrue(server.fleet.applied_.isEmpty());
  }

  @Test
  void placementNeedsTheAdminRole() throws Exception {
    var b = server.browser().signIn("dave", "dave-pw");
    assertFalse(b.get("/apps/web").body().contains("id=\"place-form\""));
    assertEquals(403, b.submit("/apps/web/preview/place", Map.of("hosts", "h1")).statusCode());
  }

  @Test
  void deployerCannotCommitAPlacementEvenWithoutThePreview() throws Exception {
    var b = server.browser().signIn("dave", "dave-pw");
    b.get("/apps/web");
    HttpResponse<String> r = b.submit("/apps/web/actions/place", Map.of("hosts", "h1"));
    assertEquals(403, r.statusCode());
    assertTrue(r.body().contains("dave has role deployer; this needs admin"), r.body());
    assertTrue(server.fleet.applied_.isEmpty(), "nothing committed");
  }

  @Test
  void viewerCannotPreviewNorCommitAnyChange() throws Exception {
    var b = server.browser().signIn("vera", "vera-pw");
    b.get("/apps/web");
    for (String kind : List.of("deploy", "place", "offline", "online", "rollback")) {
      assertEquals(
          403,
          b.submit("/apps/web/preview/" + kind, Map.of("version", "43", "hosts", "h1"))
              .statusCode(),
          kind);
      assertEquals(
          403,
          b.submit("/apps/web/actions/" + kind, Map.of("version", "43", "hosts", "h1"))
              .statusCode(),
          kind);
    }
    assertTrue(server.fleet.applied_.isEmpty(), "nothing committed");
  }

  @Test
  void logoutEndsTheSession() throws Exception {
    var b = server.browser().signIn("vera", "vera-pw");
    assertEquals(302, b.submit("/logout", Map.of()).statusCode());
    assertEquals(302, b.get("/apps").statusCode());
  }

  @Test
  void loginNeverRedirectsToAnotherSite() {
    for (String hostile :
        List.of(
            "//evil.example/x",
            "https://evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "/\\evil.example",
            "/\tevil.example",
            "\\/evil.example",
            "/\t/evil.example",
            "/\r/evil.example",
            "/\n/evil.example",
            "\t//evil.example",
            " //evil.example",
            "/ /evil.example",
            "/\u0000/evil.example",
            "/\u007f/evil.example",
            "/\u3000/evil.example",
            "/hosts\\..\\\\evil.example",
            "%2F%2Fevil.example",
            "evil.example",
            "/",
            "",
            "/login?next=//evil.example",
            "/" + "a".repeat(3000))) {
      assertEquals("/apps", LoginRoutes.safeNext(hostile), hostile.replace("\t", "<TAB>"));
    }
    assertEquals("/hosts", LoginRoutes.safeNext("/hosts"));
    assertEquals("/apps/web?fragment=live", LoginRoutes.safeNext("/apps/web?fragment=live"));
    assertEquals("/%2F/x", LoginRoutes.safeNext("/%2F/x"), "an encoded slash stays in the path");
  }

  @Test
  void aSessionEndsAtItsNextRequestOnceTheUserIsRemovedFromTheUsersFile() throws Exception {
    var b = server.browser().signIn("vera", "vera-pw");
    assertEquals(200, b.get("/apps").statusCode());
    writeUsers(entry("dave", "deployer", daveHash));
    HttpResponse<String> after = b.get("/apps");
    assertEquals(302, after.statusCode(), "signed out");
    assertTrue(after.headers().firstValue("Location").orElse("").startsWith("/login"));
    assertEquals(401, b.get("/live").statusCode(), "the live stream too");
  }

  @Test
  void aDemotedAdminCanNoLongerDoAdminActions() throws Exception {
    String adaHash = PasswordHashes.hash("ada-pw".toCharArray());
    writeUsers(entry("ada", "admin", adaHash));
    var b = server.browser().signIn("ada", "ada-pw");
    b.get("/apps/web");
    assertEquals(200, b.submit("/apps/web/preview/place", Map.of("hosts", "h1")).statusCode());
    writeUsers(entry("ada", "deployer", adaHash));
    HttpResponse<String> r = b.submit("/apps/web/actions/place", Map.of("hosts", "h1"));
    assertEquals(403, r.statusCode());
    assertTrue(r.body().contains("ada has role deployer; this needs admin"), r.body());
    assertTrue(server.fleet.applied_.isEmpty(), "nothing committed");
    assertTrue(b.get("/apps/web").body().contains("deployer"), "the page shows the new role");
  }

  @Test
  void aChangedPasswordEndsTheSessionsSignedInWithTheOldOne() throws Exception {
    var b = server.browser().signIn("dave", "dave-pw");
    writeUsers(entry("dave", "deployer", PasswordHashes.hash("new-pw".toCharArray())));
    assertEquals(302, b.get("/apps").statusCode());
    server.browser().signIn("dave", "new-pw");
  }

  @Test
  void aSessionOlderThanItsLifetimeIsRefusedHoweverActive() throws Exception {
    MutableClock clock = MutableClock.at("2026-12-01T08:00:00Z");
    try (PortalServer timed =
        new PortalServer(
            tmp.resolve("users.yaml"),
            clock,
            PortalSettings.defaults().withSessionLifetime(Duration.ofHours(12)))) {
      timed.fleet.apps = server.fleet.apps;
      timed.fleet.hosts = server.fleet.hosts;
      var b = timed.browser().signIn("vera", "vera-pw");
      clock.advance(Duration.ofHours(11).plusMinutes(59));
      assertEquals(200, b.get("/apps").statusCode(), "still within the lifetime");
      clock.advance(Duration.ofMinutes(1));
      assertEquals(302, b.get("/apps").statusCode(), "12 hours after sign-in");
      assertEquals(0, timed.portal.openSessions(), "the session was ended, not just refused");
    }
  }

  private String entry(String name, String role, String hash) {
    return """
          - name: %s
            email: %s@example.com
            role: %s
            password: "%s"
        """
        .formatted(name, name, role, hash);
  }

  /** Replaces the users file; a later modification time, as an editor's save would leave. */
  private void writeUsers(String... entries) throws Exception {
    Path users = tmp.resolve("users.yaml");
    FileTime before = Files.getLastModifiedTime(users);
    Files.writeString(users, "users:\n" + String.join("", entries));
    Files.setLastModifiedTime(
        users, FileTime.fromMillis(before.toMillis() + Duration.ofSeconds(2).toMillis()));
  }
}
