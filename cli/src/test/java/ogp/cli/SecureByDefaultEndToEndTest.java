package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.protocol.Protocol;
import ogp.protocol.tls.AgentTls;
import ogp.protocol.tls.CaHash;
import ogp.protocol.tls.TlsContexts;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.Refusal;
import ogp.reconciler.pki.IssuedCertificate;
import ogp.reconciler.pki.PemFiles;
import ogp.reconciler.pki.ServerPki;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ogp server} as its own process, bound beyond loopback with no security flag at all: it
 * makes its CA and certificate, speaks only mutual TLS to agents and HTTPS to clients, and keeps
 * its CA across restarts; {@code --insecure-agent-link} and a loopback bind keep plain TCP.
 */
class SecureByDefaultEndToEndTest {
  private static final Pattern BANNER =
      Pattern.compile(
          "ogp server (?:ready|listening): (https?)://([^ ]+):(\\d+)/  agents: [^ ]+:(\\d+)");
  private static final Pattern CA_LINE = Pattern.compile("agent CA: +(sha256:[0-9a-f]{64})");

  @TempDir Path tmp;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private Path repo;

  /** What the banner of a started server said. */
  record Started(JavaProcess process, String scheme, String host, int httpPort, int agentPort) {}

  @BeforeEach
  void repository() {
    repo = tmp.resolve("repo");
    try (TestRepo r = TestRepo.create(repo)) {
      r.commit("empty", Map.of("apps/README.yaml", "# nothing yet\n"));
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
  }

  @Test
  void
      beyondLoopbackTheServerMakesItsCaRefusesPlainAndCertificatelessHellosWelcomesACertifiedAgentAndServesHttpsOnly()
          throws Exception {
    Bind bind = Bind.beyondLoopback();
    Path data = tmp.resolve("server");
    Started server = start("first", data, bind.args());
    assertEquals("https", server.scheme(), server.process().output());
    Path caFile = data.resolve("pki").resolve("ca.crt");
    for (String file : List.of("ca.crt", "ca.key", "server.crt", "server.key"))
      assertTrue(Files.exists(data.resolve("pki").resolve(file)), file);
    String caHash = CaHash.of(PemFiles.readCertificates(caFile).get(0));
    assertEquals(caHash, printedCaHash(server), "the banner prints the pin agents enrol with");
    assertTrue(
        server.process().output().contains("ogp tokens create --kind join"),
        "and how to enrol: " + server.process().output());
    String joinToken = Files.readString(data.resolve("join-token")).strip();

    // A plain-TCP agent: one TLS_REQUIRED frame it can read, telling it how to enrol.
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(bind.dial(), server.agentPort()), 5_000);
      Refusal refusal = helloAndAnswer(plain, joinToken).getRefusal();
      assertEquals(Refusal.Code.TLS_REQUIRED, refusal.getCode());
      assertTrue(refusal.getReason().contains("ogp agent enroll"), refusal.getReason());
    }
    // TLS without a client certificate: the handshake lets it in (to enrol), the Hello is refused.
    try (SSLSocket tls =
        (SSLSocket)
            ServerTrust.trusting(caFile)
                .getSocketFactory()
                .createSocket(bind.dial(), server.agentPort())) {
      SSLParameters parameters = tls.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      tls.setSSLParameters(parameters);
      tls.setSoTimeout(10_000);
      Refusal refusal = helloAndAnswer(tls, joinToken).getRefusal();
      assertEquals(Refusal.Code.TLS_REQUIRED, refusal.getCode());
    }
    // An agent with a certificate of this CA for its host id is welcomed.
    ServerPki pki =
        ServerPki.loadOrCreate(
            data.resolve("pki"), "unused", Clock.systemUTC(), new SecureRandom());
    IssuedCertificate h1 = pki.ca().issueAgent("h1");
    PemFiles.writeCertificate(tmp.resolve("h1.crt"), h1.certificate());
    PemFiles.writePrivateKey(tmp.resolve("h1.key"), h1.privateKey());
    AgentLink link =
        agent(
            bind.dial(),
            server.agentPort(),
            joinToken,
            TlsContexts.agent(
                new AgentTls(
                    caFile,
                    Optional.of(tmp.resolve("h1.crt")),
                    Optional.of(tmp.resolve("h1.key")))));
    await("the certified agent is welcomed")
        .atMost(Duration.ofSeconds(30))
        .until(link::isConnected);

    // The join command the operator prints, run on an agent host: it enrols over the secure port,
    // and the enrolled identity is welcomed without any join token.
    OgpRun join =
        ogp(
            "tokens",
            "create",
            "--kind",
            "join",
            "--uses",
            "1",
            "--print-join-command",
            "--server-address",
            bind.dial() + ":" + server.agentPort(),
            "--data-dir",
            data.toString());
    assertEquals(0, join.exit(), join.err());
    String line =
        join.out().lines().filter(l -> l.startsWith("ogp agent enroll")).findFirst().orElseThrow();
    List<String> enroll = new ArrayList<>(List.of(line.substring("ogp ".length()).split(" ")));
    Path agentData = tmp.resolve("agent-h2");
    enroll.addAll(List.of("--host-id", "h2", "--data-dir", agentData.toString()));
    OgpRun enrolled = ogp(enroll.toArray(String[]::new));
    assertEquals(0, enrolled.exit(), enrolled.err());
    Path identity = agentData.resolve("identity");
    AgentLink enrolledLink =
        agentAs(
            "h2",
            bind.dial(),
            server.agentPort(),
            "",
            TlsContexts.agent(
                new AgentTls(
                    identity.resolve("ca.crt"),
                    Optional.of(identity.resolve("agent.crt")),
                    Optional.of(identity.resolve("agent.key")))));
    await("the enrolled agent is welcomed")
        .atMost(Duration.ofSeconds(30))
        .until(enrolledLink::isConnected);

    // HTTPS with the same CA and HSTS; the CLI trusts it with --ca-file, and says what to do
    // without.
    String https = "https://" + bind.dial() + ":" + server.httpPort();
    HttpResponse<String> health =
        HttpClient.newBuilder()
            .sslContext(ServerTrust.trusting(caFile))
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(https + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    assertEquals(
        Optional.of(StrictTransportSecurity.VALUE),
        health.headers().firstValue(StrictTransportSecurity.HEADER));
    String adminToken = data.resolve("admin-token").toString();
    OgpRun status =
        ogp(
            "status",
            "--server",
            https,
            "--ca-file",
            caFile.toString(),
            "--token-file",
            adminToken);
    assertEquals(0, status.exit(), status.err());
    HttpResponse<String> hosts =
        HttpClient.newBuilder()
            .sslContext(ServerTrust.trusting(caFile))
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(https + "/api/v1/hosts"))
                    .header(
                        "Authorization", "Bearer " + Files.readString(Path.of(adminToken)).strip())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertTrue(hosts.body().contains("\"h1\""), hosts.body());
    OgpRun untrusted = ogp("status", "--server", https, "--token-file", adminToken);
    assertEquals(1, untrusted.exit(), untrusted.err());
    assertTrue(untrusted.err().contains("is not trusted"), untrusted.err());
    assertTrue(untrusted.err().contains("--ca-file"), untrusted.err());
    assertEquals(1, untrusted.err().strip().lines().count(), untrusted.err());

    // Plain HTTP on the HTTPS port: a clear 400 naming the https URL, nothing served.
    String http = "http://" + bind.dial() + ":" + server.httpPort();
    HttpResponse<String> plainHttp =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(http + "/api/v1/hosts")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(400, plainHttp.statusCode());
    assertTrue(
        plainHttp.body().contains(https + "/api/v1/hosts"),
        "names the https URL: " + plainHttp.body());
    OgpRun wrongScheme = ogp("status", "--server", http, "--token-file", adminToken);
    assertEquals(1, wrongScheme.exit());
    assertTrue(wrongScheme.err().contains("https://"), wrongScheme.err());

    // A restart keeps the CA (the same pin) and its certificate.
    String certificate = Files.readString(data.resolve("pki").resolve("server.crt"));
    link.close();
    enrolledLink.close();
    server.process().close();
    Started again = start("second", data, bind.args());
    assertEquals(caHash, printedCaHash(again));
    assertEquals(certificate, Files.readString(data.resolve("pki").resolve("server.crt")));
  }

  @Test
  void insecureAgentLinkKeepsPlainTcpBeyondLoopbackAndSaysSoInAWarning() throws Exception {
    Bind bind = Bind.beyondLoopback();
    Path data = tmp.resolve("insecure");
    List<String> args = new ArrayList<>(bind.args());
    args.add("--insecure-agent-link");
    Started server = start("insecure", data, args);

    assertTrue(
        server
            .process()
            .output()
            .lines()
            .anyMatch(l -> l.contains("WARN") && l.contains("--insecure-agent-link")),
        server.process().output());
    AgentLink link =
        agent(
            bind.dial(),
            server.agentPort(),
            Files.readString(data.resolve("join-token")).strip(),
            null);
    await("a plain agent with the join token is welcomed")
        .atMost(Duration.ofSeconds(30))
        .until(link::isConnected);
    assertEquals("https", server.scheme(), "HTTP stays HTTPS: the flag is about the agent link");
  }

  @Test
  void aLoopbackBindKeepsPlainTcpAndPlainHttpAndMakesNoCa() throws Exception {
    Path data = tmp.resolve("loopback");
    Started server = start("loopback", data, List.of("--bind", "127.0.0.1"));

    assertEquals("http", server.scheme());
    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpPort() + "/healthz"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    OgpRun wrongScheme =
        ogp("status", "--server", "https://127.0.0.1:" + server.httpPort(), "--token", "t");
    assertEquals(1, wrongScheme.exit(), wrongScheme.err());
    assertTrue(wrongScheme.err().contains("does not speak HTTPS"), wrongScheme.err());
    AgentLink link =
        agent(
            "127.0.0.1",
            server.agentPort(),
            Files.readString(data.resolve("join-token")).strip(),
            null);
    await("a plain agent is welcomed").atMost(Duration.ofSeconds(30)).until(link::isConnected);
    assertFalse(Files.exists(data.resolve("pki")), "no CA on loopback");
    assertFalse(server.process().output().contains("--insecure-agent-link"));
  }

  /** Where the server binds beyond loopback and where the test dials it. */
  record Bind(String address, String dial, List<String> serverNames) {
    /** The machine's own non-loopback address if it has one, else every address. */
    static Bind beyondLoopback() throws IOException {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        // Not a bridge of Docker's (other tests' networks come and go).
        if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) continue;
        if (nic.getName().matches("(docker|br-|veth|virbr).*")) continue;
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
            String ip = address.getHostAddress();
            return new Bind(ip, ip, List.of());
          }
        }
      }
      return new Bind("0.0.0.0", "127.0.0.1", List.of("127.0.0.1"));
    }

    List<String> args() {
      List<String> args = new ArrayList<>(List.of("--bind", address));
      for (String name : serverNames) args.addAll(List.of("--server-name", name));
      return args;
    }
  }

  private Started start(String name, Path data, List<String> extra) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "server",
                "--repo",
                repo.toString(),
                "--poll",
                "1h",
                "--http-port",
                "0",
                "--agent-port",
                "0",
                "--data-dir",
                data.toString()));
    args.addAll(extra);
    JavaProcess process = JavaProcess.ogp(tmp.resolve(name + ".log"), args.toArray(String[]::new));
    toClose.add(process);
    await("the server prints its banner")
        .atMost(Duration.ofSeconds(60))
        .until(() -> !process.alive() || BANNER.matcher(process.output()).find());
    Matcher banner = BANNER.matcher(process.output());
    assertTrue(banner.find(), "the server started: " + process.output());
    return new Started(
        process,
        banner.group(1),
        banner.group(2),
        Integer.parseInt(banner.group(3)),
        Integer.parseInt(banner.group(4)));
  }

  /** An agent for host id h1, over TLS when a context is given. */
  private AgentLink agent(String host, int port, String joinToken, SslContext tlsOrNull) {
    return agentAs("h1", host, port, joinToken, tlsOrNull);
  }

  private AgentLink agentAs(
      String hostId, String host, int port, String joinToken, SslContext tlsOrNull) {
    AgentLink link =
        AgentLink.builder(host, port, new AgentIdentity(hostId, Map.of(), "test", "none"), a -> {})
            .joinToken(joinToken)
            .tls(tlsOrNull)
            .start();
    toClose.add(link);
    return link;
  }

  private static String printedCaHash(Started server) {
    await("the banner's CA line")
        .atMost(Duration.ofSeconds(10))
        .until(() -> CA_LINE.matcher(server.process().output()).find());
    Matcher line = CA_LINE.matcher(server.process().output());
    assertTrue(line.find());
    return line.group(1);
  }

  /** Sends a Hello as a frame and reads the server's first answer. */
  private static Envelope helloAndAnswer(Socket socket, String joinToken) throws IOException {
    socket.setSoTimeout(10_000);
    Hello hello =
        Hello.newBuilder()
            .setProtocolVersion(Protocol.VERSION)
            .setHostId("h1")
            .setJoinToken(joinToken)
            .setHostKey(ByteString.copyFrom(new byte[32]))
            .build();
    Envelope.newBuilder().setHello(hello).build().writeDelimitedTo(socket.getOutputStream());
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    Envelope answer = Envelope.parseDelimitedFrom(in);
    assertTrue(answer != null, "an answer before the close");
    return answer;
  }
}
