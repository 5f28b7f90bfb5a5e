package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CLI against a replica that does not lead: it follows one 307 to the leader with the same
 * method, body and token, and refuses a second redirect or one to a URL that is not http(s). Real
 * HTTP servers on loopback play the standby and the leader.
 */
class ApiClientRedirectTest {
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final List<String> leaderSaw = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(s -> s.stop(0));
  }

  /** Records method, path, token and body, and answers like a deploy that committed. */
  private String leader() throws IOException {
    return serve(
        exchange -> {
          leaderSaw.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization")
                  + " "
                  + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          answer(exchange, 200, "{\"commit\":\"abc123\",\"subject\":\"Deploy web 42\"}");
        });
  }

  /** Answers every request with a 307 to {@code base} + the same path and query. */
  private String redirectingTo(String base) throws IOException {
    return serve(
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Location", base + exchange.getRequestURI());
          exchange.sendResponseHeaders(307, -1);
          exchange.close();
        });
  }

  @Test
  void aWriteToAStandbyFollowsOne307ToTheLeaderWithTheSameMethodBodyAndToken() throws Exception {
    String standby = redirectingTo(leader());
    OgpRun run = ogp("set-image", "web", "42", "--server", standby, "--token", "deployer-token");
    assertEquals(0, run.exit(), run.err());
    assertEquals("abc123", run.out().strip());
    assertEquals(1, leaderSaw.size(), leaderSaw.toString());
    String seen = leaderSaw.get(0);
    assertTrue(seen.startsWith("POST /api/v1/apps/web/deploy Bearer deployer-token {"), () -> seen);
    assertTrue(seen.contains("\"version\":\"42\""), () -> seen);
  }

  @Test
  void aSecondRedirectIsAnErrorAndTheThirdServerIsNeverAsked() throws Exception {
    String third = leader();
    String second = redirectingTo(third);
    String first = redirectingTo(second);
    OgpRun run = ogp("refresh", "--server", first, "--token", "t");
    assertEquals(1, run.exit(), run.out());
    assertTrue(run.err().contains("redirected again"), run.err());
    assertTrue(run.err().contains("disagree about the leader"), run.err());
    assertEquals(List.of(), leaderSaw);
  }

  @Test
  void aRedirectToAUrlThatIsNotHttpIsNotFollowed() throws Exception {
    String standby = redirectingTo("ftp://127.0.0.1:21");
    OgpRun run = ogp("refresh", "--server", standby, "--token", "t");
    assertEquals(1, run.exit(), run.out());
    assertTrue(run.err().contains("only http and https redirects are followed"), run.err());
  }

  private String serve(com.sun.net.httpserver.HttpHandler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", handler);
    server.start();
    servers.add(server);
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }
}
