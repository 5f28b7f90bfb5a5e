package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;

/**
 * The JSON API answers any request body, content type and app name with a status below 500, and
 * without the bearer token with 401 whatever the body: a client's input can never make the server
 * fail. Every endpoint of {@link ApiEndpoint#ALL} is covered; extend that list.
 */
class ApiFuzzProperties {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static Path dir;
  private static ServerProcess server;

  @BeforeContainer
  static void start() throws Exception {
    dir = Files.createTempDirectory("ogp-api-fuzz");
    try (TestRepo repo = TestRepo.create(dir.resolve("repo"))) {
      repo.commit(
          "one app", Map.of("apps/web.yaml", "app: web\nimage: x\nversion: \"1\"\nhosts: [h1]\n"));
    }
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                new GitRemote(dir.resolve("repo").toString(), "main", "", GitCredentials.none()),
                dir.resolve("server"),
                Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                Duration.ofSeconds(15),
                null));
  }

  @AfterContainer
  static void stop() throws IOException {
    if (server != null) server.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Property(tries = 300)
  void anyBodyContentTypeAndAppNameGetsAnAnswerBelow500(
      @ForAll("endpoints") ApiEndpoint endpoint,
      @ForAll("bodies") String body,
      @ForAll("contentTypes") String contentType,
      @ForAll("appNames") String app)
      throws Exception {
    HttpResponse<String> response =
        send(endpoint, app, body, contentType, "Bearer " + server.adminToken().reveal());
    assertTrue(
        response.statusCode() < 500,
        endpoint + " answered " + response.statusCode() + ": " + response.body());
  }

  @Property(tries = 200)
  void withoutAValidTokenEveryRequestIs401(
      @ForAll("endpoints") ApiEndpoint endpoint,
      @ForAll("bodies") String body,
      @ForAll("authorizations") String authorization,
      @ForAll("appNames") String app)
      throws Exception {
    HttpResponse<String> response = send(endpoint, app, body, "application/json", authorization);
    assertEquals(401, response.statusCode(), response.body());
  }

  private static HttpResponse<String> send(
      ApiEndpoint endpoint, String app, String body, String contentType, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + server.httpPort()
                        + endpoint.with(
                            URLEncoder.encode(app, StandardCharsets.UTF_8).replace("+", "%20"))))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", contentType)
            .method(
                endpoint.method(),
                endpoint.method().equals("GET")
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (!authorization.isEmpty()) request.header("Authorization", authorization);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Provide
  Arbitrary<ApiEndpoint> endpoints() {
    return Arbitraries.of(ApiEndpoint.ALL);
  }

  @Provide
  Arbitrary<String> bodies() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("{}[]\",:0123456789.eE-+truefalsnul \\u").ofMaxLength(300),
        Arbitraries.strings().all().ofMaxLength(200),
        Arbitraries.of(
            "",
            "{}",
            "null",
            "[]",
            "{\"version\": {\"a\": 1}}",
            "{\"hosts\": \"h1\"}",
            "{\"commit\": 12}",
            "{\"version\": \"" + "9".repeat(10_000) + "\"}",
            "[".repeat(50_000)));
  }

  @Provide
  Arbitrary<String> contentTypes() {
    return Arbitraries.of(
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=utf-42",
        "*/*");
  }

  @Provide
  Arbitrary<String> appNames() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "web",
            "nope",
            "..",
            "../../etc/passwd",
            "%2e%2e",
            "a/b",
            " ",
            "W\u00e9b",
            "x".repeat(2000)),
        Arbitraries.strings()
            .withCharRange((char) 0x21, (char) 0x7e)
            .ofMinLength(1)
            .ofMaxLength(40));
  }

  @Provide
  Arbitrary<String> authorizations() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "",
            "Bearer",
            "Bearer ",
            "Basic b2dwOm9ncA==",
            "bearer x",
            "Bearer " + "a".repeat(5000)),
        Arbitraries.strings()
            .withCharRange((char) 0x21, (char) 0x7e)
            .ofMaxLength(60)
            .map(s -> "Bearer " + s));
  }
}
