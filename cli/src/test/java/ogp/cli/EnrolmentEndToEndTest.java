package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import ogp.agent.HostAgent;
import ogp.agent.runtime.RealDockerTest;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The enrolment path through the command line: {@code ogp server} as a process bound beyond
 * loopback, so secure by default with its own CA in {@code <data-dir>/pki} → {@code ogp tokens
 * create --kind join --print-join-command} → that exact line run → the agent {@code ogp agent
 * --data-dir DIR} builds connects over mutual TLS → {@code ogp hosts revoke} closes it and {@code
 * GET /api/v1/hosts} shows it revoked. The agent runs in-process with the settings {@code ogp
 * agent} makes, its containers scoped to this test (an unscoped agent would own every managed
 * container of the shared engine).
 */
class EnrolmentEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private TestRepo work;
  private JavaProcess server;
  private int httpPort;
  private int agentPort;
  private SecureByDefaultEndToEndTest.Bind bind;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    work = TestRepo.create(tmp.resolve("work"));
    work.commit(
        "An app elsewhere",
        Map.of("apps/web.yaml", "app: web\nimage: busybox\nversion: \"1\"\nhosts: [elsewhere]\n"));
    // Bound beyond loopback with no TLS flags: the server is secure by default, makes its CA in
    // <data-dir>/pki and enrols agents; the name agents dial is the address the test dials.
    bind = SecureByDefaultEndToEndTest.Bind.beyondLoopback();
    httpPort = freePort();
    agentPort = freePort();
    server =
        JavaProcess.ogp(
            tmp.resolve("server.log"),
            "server",
            "--repo",
            work.path().toString(),
            "--branch",
            "main",
            "--bind",
            bind.address(),
            "--server-name",
            bind.dial(),
            "--http-port",
            Integer.toString(httpPort),
            "--agent-port",
            Integer.toString(agentPort),
            "--data-dir",
            serverDir().toString(),
            "--agent-cert-ttl",
            "30d");
    await("the server records where agents enrol")
        .atMost(WAIT)
        .until(() -> Files.exists(serverDir().resolve(JoinEndpoint.FILE)));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    if (server != null) server.close();
    if (work != null) work.close();
  }

  @Test
  void thePrintedJoinCommandEnrolsAnAgentThatConnectsOverMutualTlsUntilItIsRevoked()
      throws Exception {
    Path serverDir = serverDir();
    OgpRun created =
        ogp(
            "tokens",
            "create",
            "--kind",
            "join",
            "--uses",
            "1",
            "--ttl",
            "24h",
            "--print-join-command",
            "--data-dir",
            serverDir.toString());
    assertEquals(0, created.exit(), created.err());
    String line = created.out().strip();
    assertTrue(line.startsWith("ogp agent enroll --server " + bind.dial() + ":" + agentPort), line);

    Path agentDir = tmp.resolve("agent");
    List<String> args = new ArrayList<>(Arrays.asList(line.split(" ")));
    args.remove(0); // "ogp"
    args.addAll(List.of("--host-id", "e2e-a", "--data-dir", agentDir.toString()));
    OgpRun enrolled = ogp(args.toArray(String[]::new));
    assertEquals(0, enrolled.exit(), enrolled.err());
    assertTrue(enrolled.out().contains("next: ogp agent --data-dir " + agentDir), enrolled.out());

    OgpRun again = ogp(args.toArray(String[]::new));
    assertEquals(1, again.exit(), again.err());
    assertTrue(again.err().contains("enrolled already"), again.err());

    AgentCommand command = new AgentCommand();
    new CommandLine(command).parseArgs("--data-dir", agentDir.toString());
    HostAgent.Settings s = command.settings();
    assertEquals("e2e-a", s.hostId());
    HostAgent agent =
        new HostAgent(
            new HostAgent.Settings(
                s.serverHost(),
                s.serverPort(),
                s.hostId(),
                s.labels(),
                s.joinToken(),
                s.dockerHost(),
                s.registryAuthFile(),
                s.dataDir(),
                Duration.ofSeconds(1),
                Duration.ofMillis(300),
                Map.of(RealDockerTest.TEST_LABEL, "enrol-" + UUID.randomUUID()),
                s.tls(),
                s.joinTokenFile(),
                s.enrolled(),
                s.renewalCheck()));
    toClose.add(agent);
    await("the enrolled agent connects over mutual TLS").atMost(WAIT).until(agent::connected);

    OgpRun revoked =
        ogp(
            "hosts",
            "revoke",
            "e2e-a",
            "--server",
            url(),
            "--ca-file",
            caFile().toString(),
            "--token",
            admin());
    assertEquals(0, revoked.exit(), revoked.err());
    await("the revoked agent is disconnected").atMost(WAIT).until(() -> !agent.connected());
    JsonNode host = hosts().get(0);
    assertEquals("e2e-a", host.path("host").asText(), host.toString());
    assertTrue(host.path("revoked").asBoolean(), host.toString());
  }

  private JsonNode hosts() throws Exception {
    HttpResponse<String> response =
        HttpClient.newBuilder()
            .sslContext(ServerTrust.trusting(caFile()))
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(url() + "/api/v1/hosts"))
                    .header("Authorization", "Bearer " + admin())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  private String url() {
    return "https://" + bind.dial() + ":" + httpPort;
  }

  private Path caFile() {
    return serverDir().resolve("pki").resolve("ca.crt");
  }

  private String admin() throws java.io.IOException {
    return Files.readString(serverDir().resolve("admin-token")).strip();
  }

  private Path serverDir() {
    return tmp.resolve("server");
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
