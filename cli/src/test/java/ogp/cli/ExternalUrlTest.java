package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --external-url}: behind a TLS-terminating proxy (the server itself speaks plain HTTP) an
 * https external URL makes the portal's cookies Secure and every response carry HSTS; without it
 * (plain HTTP development) neither.
 */
class ExternalUrlTest {
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
  @TempDir Path tmp;
  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @Test
  void anHttpsExternalUrlMakesCookiesSecureAndSendsHstsOnPortalAndApi() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"));
        ServerProcess server =
            new ServerProcess(
                settings(repo)
                    .withExternalUrl(Optional.of(URI.create("https://ogp.example.com"))))) {
      String base = "http://127.0.0.1:" + server.httpPort();
      HttpResponse<String> form = get(base + "/login");
      String loginCookie = cookie(form, "OGP_LOGIN");
      assertTrue(loginCookie.toLowerCase().contains("; secure"), loginCookie);
      assertEquals(
          Optional.of("max-age=31536000"), form.headers().firstValue("Strict-Transport-Security"));
      for (String path : List.of("/healthz", "/api/v1/hosts", "/apps")) {
        assertEquals(
            Optional.of("max-age=31536000"),
            get(base + path).headers().firstValue("Strict-Transport-Security"),
            path);
      }
      HttpResponse<String> login = signIn(base, form, server.adminToken().reveal());
      assertEquals(302, login.statusCode(), login.body());
      String session = cookie(login, "OGP_SESSION");
      assertTrue(session.toLowerCase().contains("; secure"), session);
      assertTrue(session.contains("HttpOnly"), session);
      assertTrue(session.toLowerCase().contains("samesite=lax"), session);
    }
  }

  @Test
  void withoutAnExternalUrlPlainHttpHasNeitherSecureCookiesNorHsts() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"));
        ServerProcess server = new ServerProcess(settings(repo))) {
      String base = "http://127.0.0.1:" + server.httpPort();
      HttpResponse<String> form = get(base + "/login");
      assertFalse(cookie(form, "OGP_LOGIN").toLowerCase().contains("secure"));
      assertTrue(form.headers().firstValue("Strict-Transport-Security").isEmpty());
      assertTrue(
          get(base + "/healthz").headers().firstValue("Strict-Transport-Security").isEmpty());
      HttpResponse<String> login = signIn(base, form, server.adminToken().reveal());
      assertEquals(302, login.statusCode(), login.body());
      assertFalse(cookie(login, "OGP_SESSION").toLowerCase().contains("secure"));
    }
  }

  @Test
  void anExternalUrlThatIsNoHttpUrlIsAUsageError() {
    for (String bad :
        List.of("ftp://ogp.example.com", "ogp.example.com", "https://", "https://u:p@x.example")) {
      OgpRun run = ogp("server", "--repo", tmp.toString(), "--external-url", bad);
      assertEquals(2, run.exit(), bad);
      assertTrue(run.err().contains("is not an external URL"), run.err());
    }
  }

  private ServerProcess.Settings settings(TestRepo repo) throws Exception {
    repo.commit("empty", Map.of("apps/README.yaml", "# nothing yet\n"));
    return new ServerProcess.Settings(
        new GitRemote(tmp.resolve("repo").toString(), "main", "", GitCredentials.none()),
        tmp.resolve("server"),
        Duration.ofHours(1),
        "127.0.0.1",
        0,
        0,
        Duration.ofSeconds(15),
        null);
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Signs in with the login page's cookie and token, as a browser behind the proxy would. */
  private HttpResponse<String> signIn(String base, HttpResponse<String> form, String token)
      throws Exception {
    Matcher csrf = CSRF.matcher(form.body());
    assertTrue(csrf.find(), form.body());
    String cookie = cookie(form, "OGP_LOGIN");
    String body =
        "name=admin&next=%2Fapps&password="
            + URLEncoder.encode(token, StandardCharsets.UTF_8)
            + "&_csrf="
            + csrf.group(1);
    return http.send(
        HttpRequest.newBuilder(URI.create(base + "/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Origin", base)
            .header("Cookie", cookie.substring(0, cookie.indexOf(';')))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String cookie(HttpResponse<String> response, String name) {
    return response.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith(name + "="))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + response.headers().map()));
  }
}
