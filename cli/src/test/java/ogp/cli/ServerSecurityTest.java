package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import ogp.agent.HostAgent;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.tls.AgentTls;
import ogp.protocol.tls.ServerTls;
import ogp.protocol.tls.TlsContexts;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestPki;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server process with HTTPS and mutual TLS on the agent port, and how its settings print. */
class ServerSecurityTest {
  @TempDir Path tmp;

  @Test
  void httpsServesTheApiAndPlainHttpIsOffWhileAgentsUseMutualTls() throws Exception {
    TestPki pki = new TestPki(tmp.resolve("pki"));
    TestPki.Files server = pki.server("server", "localhost", "127.0.0.1");
    TestPki.Files agentFiles = pki.agent("agent-h1", "h1");
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"))) {
      repo.commit("empty", Map.of("apps/README.yaml", "# nothing yet\n"));
      GitRemote remote =
          new GitRemote(tmp.resolve("repo").toString(), "main", "", GitCredentials.none());
      ServerProcess.Settings settings =
          new ServerProcess.Settings(
              remote,
              tmp.resolve("server"),
              Duration.ofHours(1),
              "127.0.0.1",
              0,
              0,
              Duration.ofSeconds(15),
              null,
              Optional.of(
                  new ServerTls(
                      server.certificate(), server.privateKey(), Optional.of(pki.caCertificate()))),
              Optional.of(new HttpsConnector(server.certificate(), server.privateKey())));
      try (ServerProcess process = new ServerProcess(settings)) {
        HttpClient trusting =
            HttpClient.newBuilder()
                .sslContext(ServerTrust.trusting(pki.caCertificate()))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpResponse<String> ok =
            trusting.send(
                HttpRequest.newBuilder(
                        URI.create("https://localhost:" + process.httpPort() + "/healthz"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode());
        HttpResponse<String> api =
            trusting.send(
                HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + process.httpPort() + "/api/v1/hosts"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, api.statusCode(), "HTTPS changes the transport, not the authentication");

        HttpRequest plain =
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + process.httpPort() + "/healthz"))
                .timeout(Duration.ofSeconds(5))
                .build();
        boolean plainRefused;
        try {
          plainRefused =
              HttpClient.newHttpClient()
                      .send(plain, HttpResponse.BodyHandlers.ofString())
                      .statusCode()
                  != 200;
        } catch (IOException expected) {
          plainRefused = true;
        }
        assertTrue(plainRefused, "plain HTTP must not be served when HTTPS is on");

        try (AgentLink link =
            AgentLink.builder(
                    "localhost",
                    process.agentPort(),
                    new AgentIdentity("h1", Map.of(), "test", "none"),
                    a -> {})
                .joinToken(process.joinToken().reveal())
                .tls(
                    TlsContexts.agent(
                        new AgentTls(
                            pki.caCertificate(),
                            Optional.of(agentFiles.certificate()),
                            Optional.of(agentFiles.privateKey()))))
                .start()) {
          await("the agent is welcomed over mutual TLS")
              .atMost(Duration.ofSeconds(10))
              .until(link::isConnected);
        }
      }
    }
  }

  @Test
  void agentSettingsNeverPrintTheJoinToken() {
    HostAgent.Settings settings =
        HostAgent.Settings.of(
            "ogp.example.com",
            7070,
            "h1",
            Map.of(),
            "the-join-token-value",
            URI.create("unix:///var/run/docker.sock"),
            null,
            tmp);
    assertFalse(settings.toString().contains("the-join-token-value"), settings.toString());
    assertTrue(settings.toString().contains("joinToken=***"));
  }

  @Test
  void serverSettingsNeverPrintGitCredentials() {
    GitRemote remote =
        new GitRemote(
            "https://user:url-secret@git.example.com/fleet.git",
            "main",
            "",
            new GitCredentials.UsernamePassword("ogp", "password-secret"));
    String printed =
        new ServerProcess.Settings(
                remote,
                tmp,
                Duration.ofSeconds(15),
                "0.0.0.0",
                8080,
                7070,
                Duration.ofSeconds(15),
                null)
            .toString();
    assertFalse(printed.contains("url-secret"), printed);
    assertFalse(printed.contains("password-secret"), printed);
  }

  @Test
  void halfAPairOfTlsFlagsIsBadUsage() {
    OgpRun run =
        ogp("server", "--repo", tmp.toString(), "--tls-cert", tmp.resolve("server.crt").toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("--tls-key"), run.err());
    assertEquals(
        2,
        ogp(
                "agent",
                "--server",
                "localhost:7070",
                "--host-id",
                "h1",
                "--tls-cert",
                "a.crt",
                "--tls-key",
                "a.key")
            .exit());
  }

  @Test
  void errorMessagesNeverShowUrlCredentials() {
    OgpRun run =
        ogp(
            "diff",
            "--repo",
            "https://user:url-secret@127.0.0.1:1/fleet.git",
            "--from",
            "a",
            "--to",
            "b");
    assertFalse(run.err().contains("url-secret"), run.err());
  }
}
