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
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import ogp.agent.HostAgent;
import ogp.agent.runtime.RealDockerTest;
import ogp.protocol.tls.ServerTls;
import ogp.reconciler.pki.CertificateAuthority;
import ogp.reconciler.pki.IssuedCertificate;
import ogp.reconciler.pki.PemFiles;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The enrolment path through the command line: a server that enrols (its CA, TLS with optional
 * client certificates) → {@code ogp tokens create --kind join --print-join-command} → that exact
 * line run → the agent {@code ogp agent --data-dir DIR} builds connects over mutual TLS → {@code
 * ogp hosts revoke} closes it and {@code GET /api/v1/hosts} shows it revoked. The agent runs
 * in-process with the settings {@code ogp agent} makes, its containers scoped to this test (an
 * unscoped agent would own every managed container of the shared engine).
 */
class EnrolmentEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private TestRepo work;
  private ServerProcess server;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    Path bare = tmp.resolve("remote.git");
    Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
    work = TestRepo.create(tmp.resolve("work"));
    work.commit(
        "An app elsewhere",
        Map.of("apps/web.yaml", "app: web\nimage: busybox\nversion: \"1\"\nhosts: [elsewhere]\n"));
    work.pushTo(bare.toUri().toString(), "", "", false);
    CertificateAuthority ca =
        CertificateAuthority.create("e2e-ca", Clock.systemUTC(), new SecureRandom());
    Path pki = tmp.resolve("pki");
    IssuedCertificate leaf = ca.issueServer("localhost", List.of("127.0.0.1"));
    PemFiles.writeCertificate(pki.resolve("leaf.crt"), leaf.certificate());
    PemFiles.writeCertificate(pki.resolve("ca.crt"), ca.certificate().certificate());
    Files.writeString(
        pki.resolve("server.crt"),
        Files.readString(pki.resolve("leaf.crt")) + Files.readString(pki.resolve("ca.crt")));
    PemFiles.writePrivateKey(pki.resolve("server.key"), leaf.privateKey());
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                    GitRemote.of(bare.toUri().toString(), "main", ""),
                    tmp.resolve("server"),
                    Duration.ofHours(1),
                    "127.0.0.1",
                    0,
                    0,
                    Duration.ofSeconds(15),
                    null,
                    java.util.Optional.of(
                        ServerTls.enrolling(
                            pki.resolve("server.crt"),
                            pki.resolve("server.key"),
                            pki.resolve("ca.crt"))),
                    java.util.Optional.empty())
                .withEnrolment(
                    new ServerProcess.Settings.Enrolment(ca, Duration.ofDays(30), "localhost")));
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
    Path serverDir = tmp.resolve("server");
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
    assertTrue(line.startsWith("ogp agent enroll --server localhost:" + server.agentPort()), line);

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
        ogp("hosts", "revoke", "e2e-a", "--server", url(), "--token", server.adminToken().reveal());
    assertEquals(0, revoked.exit(), revoked.err());
    await("the revoked agent is disconnected").atMost(WAIT).until(() -> !agent.connected());
    JsonNode host = hosts().get(0);
    assertEquals("e2e-a", host.path("host").asText(), host.toString());
    assertTrue(host.path("revoked").asBoolean(), host.toString());
  }

  private JsonNode hosts() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url() + "/api/v1/hosts"))
                    .header("Authorization", "Bearer " + server.adminToken().reveal())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  private String url() {
    return "http://127.0.0.1:" + server.httpPort();
  }
}
