package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a client command's bearer token comes from: {@code --token} or {@code --token-file}, never
 * both, and a local {@code ogp dev}'s {@code .ogp/admin-token} only for a server on this machine.
 * Against a real HTTP server that records the Authorization header it receives.
 */
class ClientTokenTest {
  @TempDir Path tmp;

  private HttpServer server;
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/api/v1/",
        exchange -> {
          authorizations.add(
              String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
          byte[] body =
              "{\"status\":\"ok\",\"commit\":\"abc123\",\"subject\":\"Deploy web 42\"}"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(202, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void theTokenFileIsReadWithItsTrailingNewlineTrimmed() throws IOException {
    Path file = Files.writeString(tmp.resolve("token"), "s3cret-token\n");
    OgpRun run = ogp("refresh", "--server", url(), "--token-file", file.toString());
    assertEquals(0, run.exit(), run.err());
    assertEquals(List.of("Bearer s3cret-token"), authorizations);
  }

  @Test
  void setImageTakesATokenFileToo() throws IOException {
    Path file = Files.writeString(tmp.resolve("token"), "deployer-token\n");
    OgpRun run = ogp("set-image", "web", "42", "--server", url(), "--token-file", file.toString());
    assertEquals(0, run.exit(), run.err());
    assertEquals("abc123", run.out().strip());
    assertEquals(List.of("Bearer deployer-token"), authorizations);
  }

  @Test
  void bothATokenAndATokenFileAreBadUsage() throws IOException {
    Path file = Files.writeString(tmp.resolve("token"), "one\n");
    OgpRun run =
        ogp("status", "--server", url(), "--token", "two", "--token-file", file.toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("either --token (OGP_TOKEN) or --token-file"), run.err());
    assertTrue(authorizations.isEmpty(), "nothing was sent");
  }

  @Test
  void anEmptyOrMissingTokenFileIsBadUsageNamingTheFile() throws IOException {
    Path empty = Files.writeString(tmp.resolve("empty"), "\n");
    OgpRun run = ogp("refresh", "--server", url(), "--token-file", empty.toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("the token file " + empty + " is empty"), run.err());
    OgpRun missing =
        ogp("refresh", "--server", url(), "--token-file", tmp.resolve("nope").toString());
    assertEquals(2, missing.exit(), missing.err());
    assertTrue(missing.err().contains("cannot read the token file"), missing.err());
    assertTrue(authorizations.isEmpty(), "nothing was sent");
  }

  @Test
  void theLocalDevAdminTokenIsUsedForALoopbackServer() throws IOException {
    devAdminToken("dev-admin-token");
    ApiClient api = client(url());
    api.post("/api/v1/refresh", "{}");
    assertEquals(List.of("Bearer dev-admin-token"), authorizations);
  }

  @Test
  void theLocalDevAdminTokenIsNeverSentToAnotherHost() throws IOException {
    devAdminToken("dev-admin-token");
    ApiClient api = client("http://example.invalid:8080");
    CommandFailure e = assertThrows(CommandFailure.class, () -> api.post("/api/v1/refresh", "{}"));
    assertEquals(2, e.exitCode());
    assertTrue(
        e.getMessage().contains("no token given for http://example.invalid:8080")
            && e.getMessage().contains("pass --token-file FILE")
            && !e.getMessage().contains("dev-admin-token"),
        e.getMessage());
  }

  @Test
  void loopbackIsLocalhostAnd127Slash8AndColonColon1Only() {
    for (String local :
        List.of(
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://127.0.0.1:1",
            "http://127.8.9.10",
            "https://[::1]:8443")) assertTrue(TokenOptions.isLoopback(URI.create(local)), local);
    for (String remote :
        List.of(
            "http://example.invalid:8080",
            "http://localhost.example.com",
            "http://128.0.0.1",
            "http://10.0.0.1",
            "http://[::2]",
            "http://127.0.0.1.nip.io"))
      assertFalse(TokenOptions.isLoopback(URI.create(remote)), remote);
  }

  private void devAdminToken(String token) throws IOException {
    Files.createDirectories(tmp.resolve(".ogp"));
    Files.writeString(tmp.resolve(".ogp").resolve("admin-token"), token + "\n");
  }

  private ApiClient client(String url) {
    ApiClient api = new ApiClient();
    api.server = url;
    api.workingDir = tmp.resolve("sub").resolve("dir"); // found in a directory above
    return api;
  }
}
