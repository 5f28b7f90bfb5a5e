package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's two tokens: the admin token may change the fleet, the viewer token only read it. */
class ApiTokensTest {
  @TempDir Path tmp;
  private TestRepo repo;
  private ServerProcess server;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    repo = TestRepo.create(tmp.resolve("repo"));
    repo.commit("Place web 1", Map.of("apps/web.yaml", TestApps.web("1")));
    server = new ServerProcess(new ServerProcess.Settings(GitRemote.of(repo.url(), "main", ""), tmp.resolve("server"),
        Duration.ofHours(1), "127.0.0.1", 0, 0, Duration.ofSeconds(15), null));
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
    if (repo != null) repo.close();
  }

  @Test
  void viewerTokenReadsButCannotChangeAnything() throws Exception {
    String viewer = server.viewerToken().reveal();
    assertEquals(200, send("GET", "/api/v1/apps", viewer).statusCode());
    assertEquals(200, send("GET", "/api/v1/hosts", viewer).statusCode());
    String head = repo.head();
    HttpResponse<String> deploy = send("POST", "/api/v1/apps/web/deploy", viewer, "{\"version\": \"2\"}");
    assertEquals(403, deploy.statusCode());
    assertTrue(deploy.body().contains("viewer token may only read"), deploy.body());
    assertEquals(head, repo.head(), "nothing committed");
    assertEquals(403, send("POST", "/api/v1/refresh", viewer).statusCode());
  }

  @Test
  void adminTokenChangesAndOtherTokensAreRefused() throws Exception {
    assertEquals(202, send("POST", "/api/v1/refresh", server.adminToken().reveal()).statusCode());
    assertEquals(401, send("GET", "/api/v1/apps", "not-a-token").statusCode());
    assertEquals(401, send("GET", "/api/v1/apps", null).statusCode());
  }

  @Test
  void viewerTokenFileIsPrivateAndStableAcrossRestarts() throws Exception {
    Path file = tmp.resolve("server").resolve(SecretToken.VIEWER_TOKEN_FILE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String before = server.viewerToken().reveal();
    server.close();
    server = new ServerProcess(new ServerProcess.Settings(GitRemote.of(repo.url(), "main", ""), tmp.resolve("server"),
        Duration.ofHours(1), "127.0.0.1", 0, 0, Duration.ofSeconds(15), null));
    assertEquals(before, server.viewerToken().reveal());
  }

  private HttpResponse<String> send(String method, String path, String token) throws Exception {
    return send(method, path, token, "");
  }

  private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .header("Content-Type", "application/json")
        .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) request.header("Authorization", "Bearer " + token);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
