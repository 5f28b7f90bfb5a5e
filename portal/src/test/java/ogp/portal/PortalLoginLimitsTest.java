package ogp.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import ogp.portal.auth.LoginCsrfCookie;
import ogp.portal.auth.PasswordHashes;
import ogp.reconciler.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The login over real HTTP under load: no server-side session before sign-in, rate limits per
 * address and per user with 429 and {@code Retry-After}, and the CSRF check of the login form
 * without a session (signed cookie). The clock stands still, so no bucket refills during a test.
 */
class PortalLoginLimitsTest {
  @TempDir Path tmp;
  private final MutableClock clock = MutableClock.at("2026-12-01T08:00:00Z");
  private PortalServer server;

  @BeforeEach
  void start() throws Exception {
    Path users = tmp.resolve("users.yaml");
    Files.writeString(
        users,
        """
        users:
          - name: vera
            email: vera@example.com
            role: viewer
            password: "%s"
        """
            .formatted(PasswordHashes.hash("vera-pw".toCharArray())));
    server = new PortalServer(users, clock, PortalSettings.defaults());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aThousandLoginPagesCreateNoServerSession() throws Exception {
    HttpClient cookieless = HttpClient.newHttpClient();
    for (int i = 0; i < 1000; i++) {
      HttpResponse<String> r =
          cookieless.send(
              HttpRequest.newBuilder(URI.create(server.base() + "/login")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertTrue(
          r.headers().allValues("Set-Cookie").stream().noneMatch(c -> c.startsWith("OGP_SESSION")),
          "no session cookie before sign-in");
    }
    assertEquals(0, server.portal.openSessions());
    server.browser().signIn("vera", "vera-pw");
    assertEquals(1, server.portal.openSessions(), "a session only for the signed-in browser");
  }

  @Test
  void theEleventhAttemptFromOneAddressWithinAMinuteGets429WithRetryAfter() throws Exception {
    var b = server.browser();
    b.get("/login");
    for (int i = 1; i <= 10; i++) {
      HttpResponse<String> r = b.submit("/login", Map.of("name", "nobody" + i, "password", "x"));
      assertEquals(401, r.statusCode(), "attempt " + i);
    }
    HttpResponse<String> eleventh =
        b.submit("/login", Map.of("name", "vera", "password", "vera-pw"));
    assertEquals(429, eleventh.statusCode());
    long retryAfter = Long.parseLong(eleventh.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
    assertTrue(
        eleventh.body().contains("Too many sign-in attempts from your address"), eleventh.body());
    assertEquals(302, b.get("/apps").statusCode(), "not signed in, even with the right password");

    clock.advance(java.time.Duration.ofSeconds(retryAfter));
    assertEquals(
        302,
        b.submit("/login", Map.of("name", "vera", "password", "vera-pw")).statusCode(),
        "allowed again after Retry-After");
  }

  @Test
  void theSixthAttemptForOneUserWithinAMinuteGets429() throws Exception {
    var b = server.browser();
    b.get("/login");
    for (int i = 1; i <= 5; i++) {
      assertEquals(
          401, b.submit("/login", Map.of("name", "vera", "password", "guess" + i)).statusCode());
    }
    HttpResponse<String> sixth = b.submit("/login", Map.of("name", "vera", "password", "vera-pw"));
    assertEquals(429, sixth.statusCode());
    assertTrue(sixth.headers().firstValue("Retry-After").isPresent());
    assertTrue(sixth.body().contains("Too many sign-in attempts for this user"), sixth.body());
  }

  @Test
  void theLoginFormIsRefusedWithoutItsCookieOrWithAForgedOne() throws Exception {
    HttpClient cookieless =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    var b = server.browser();
    b.get("/login");
    String token = b.csrf;
    String body = "name=vera&password=vera-pw&_csrf=" + token;

    HttpResponse<String> noCookie = post(cookieless, body, null);
    assertEquals(403, noCookie.statusCode());
    assertTrue(noCookie.body().contains("CSRF"), noCookie.body());

    String forged = LoginCsrfCookie.NAME + "=" + token + ".9999999999.AAAAforgedsignatureAAAA";
    HttpResponse<String> forgedCookie = post(cookieless, body, forged);
    assertEquals(403, forgedCookie.statusCode());

    HttpResponse<String> otherToken =
        b.post(
            "/login",
            Map.of("name", "vera", "password", "vera-pw", "_csrf", "forged"),
            server.base());
    assertEquals(403, otherToken.statusCode(), "the field must equal the cookie's token");
    assertFalse(otherToken.headers().firstValue("Location").isPresent());
    assertEquals(0, server.portal.openSessions());

    clock.advance(LoginCsrfCookie.LIFETIME);
    assertEquals(
        403,
        b.submit("/login", Map.of("name", "vera", "password", "vera-pw")).statusCode(),
        "an expired login cookie");
  }

  private HttpResponse<String> post(HttpClient client, String body, String cookie)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(server.base() + "/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Origin", server.base())
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (cookie != null) r.header("Cookie", cookie);
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
