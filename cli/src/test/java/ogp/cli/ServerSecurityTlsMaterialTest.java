package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import ogp.protocol.tls.CaHash;
import ogp.protocol.tls.ServerTls;
import ogp.reconciler.pki.PemFiles;
import ogp.reconciler.pki.ServerNames;
import ogp.reconciler.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which CA, certificate and client CA each port of {@code ogp server} gets from its flags (no
 * socket is opened: resolving only reads and writes the pki dir).
 */
class ServerSecurityTlsMaterialTest {
  private static final String BEYOND_LOOPBACK = "192.0.2.10";

  @TempDir Path tmp;

  private ServerSecurity resolve(ServerSecurityOptions explicit, String bind, List<String> names)
      throws Exception {
    return resolve(explicit, bind, names, null, null, false);
  }

  private ServerSecurity resolve(
      ServerSecurityOptions explicit,
      String bind,
      List<String> names,
      Path caCert,
      Path caKey,
      boolean insecure)
      throws Exception {
    return ServerSecurity.resolve(
        new ServerSecurity.Flags(explicit, tmp.resolve("pki"), caCert, caKey, names, insecure),
        bind,
        Clock.systemUTC(),
        new SecureRandom());
  }

  private static ServerSecurityOptions none() {
    return new ServerSecurityOptions(null, null, null, null, null);
  }

  @Test
  void beyondLoopbackBothPortsUseTheGeneratedCertificateAndAgentsTheCaWithOptionalCertificates()
      throws Exception {
    ServerSecurity security = resolve(none(), BEYOND_LOOPBACK, List.of("ogp.example.com"));

    ServerTls agentTls = security.agentTls().orElseThrow();
    Path pki = tmp.resolve("pki");
    assertEquals(pki.resolve("server.crt"), agentTls.certificate());
    assertEquals(Optional.of(pki.resolve("ca.crt")), agentTls.clientCa());
    assertTrue(agentTls.clientCertificateOptional(), "enrolment comes without a certificate");
    assertTrue(security.enrols());
    assertEquals(Optional.of("ogp.example.com"), security.advertisedName());
    assertEquals(pki.resolve("server.crt"), security.https().orElseThrow().certificate());
    X509Certificate leaf = PemFiles.readCertificates(pki.resolve("server.crt")).get(0);
    assertTrue(ServerNames.of(leaf).sameNames(ServerNames.parse(List.of("ogp.example.com"))));
    assertEquals(
        CaHash.of(PemFiles.readCertificates(pki.resolve("ca.crt")).get(0)),
        security.ca().orElseThrow().hash());
  }

  @Test
  void withoutServerNamesTheCertificateNamesLocalhostLoopbackAndTheBindAddress() throws Exception {
    resolve(none(), BEYOND_LOOPBACK, List.of());

    X509Certificate leaf =
        PemFiles.readCertificates(tmp.resolve("pki").resolve("server.crt")).get(0);
    ServerNames names = ServerNames.of(leaf);
    assertTrue(names.dnsNames().contains("localhost"), names.toString());
    assertTrue(
        names.ipAddresses().containsAll(List.of("127.0.0.1", BEYOND_LOOPBACK)), names.toString());
  }

  @Test
  void aGivenCaIsUsedInsteadOfThePkiDirsOwnAndSignsTheServerCertificate() throws Exception {
    // An operator's CA as two PEM files.
    var ca =
        ogp.reconciler.pki.CertificateAuthority.create(
            "ops CA", Clock.systemUTC(), new SecureRandom());
    Path caCert = tmp.resolve("ops-ca.crt");
    Path caKey = tmp.resolve("ops-ca.key");
    PemFiles.writeCertificate(caCert, ca.certificate().certificate());
    PemFiles.writePrivateKey(caKey, ca.certificate().privateKey());

    ServerSecurity security =
        resolve(none(), BEYOND_LOOPBACK, List.of("ogp.example.com"), caCert, caKey, false);

    assertEquals(CaHash.of(ca.certificate().certificate()), security.ca().orElseThrow().hash());
    assertEquals(Optional.of(caCert), security.agentTls().orElseThrow().clientCa());
    assertFalse(Files.exists(tmp.resolve("pki").resolve("ca.crt")), "no second CA is made");
    X509Certificate leaf =
        PemFiles.readCertificates(tmp.resolve("pki").resolve("server.crt")).get(0);
    leaf.verify(ca.certificate().certificate().getPublicKey());
  }

  @Test
  void givenCertificatesReplaceTheGeneratedOneWhichIsNeverMadeAndAGivenClientCaMeansNoEnrolment()
      throws Exception {
    TestPki own = new TestPki(tmp.resolve("own"));
    TestPki.Files server = own.server("server", "ogp.example.com");
    TestPki.Files web = own.server("web", "www.example.com");
    ServerSecurity security =
        resolve(
            new ServerSecurityOptions(
                server.certificate(),
                server.privateKey(),
                own.caCertificate(),
                web.certificate(),
                web.privateKey()),
            BEYOND_LOOPBACK,
            List.of());

    ServerTls agentTls = security.agentTls().orElseThrow();
    assertEquals(server.certificate(), agentTls.certificate());
    assertEquals(Optional.of(own.caCertificate()), agentTls.clientCa());
    // The operator's own CA issues the agents' certificates: required, and nobody enrols.
    assertFalse(agentTls.clientCertificateOptional());
    assertFalse(security.enrols());
    assertEquals(web.certificate(), security.https().orElseThrow().certificate());
    assertFalse(Files.exists(tmp.resolve("pki").resolve("server.crt")));
  }

  @Test
  void aGivenAgentCertificateAlsoServesHttpsWhenNoHttpsCertificateIsGiven() throws Exception {
    TestPki own = new TestPki(tmp.resolve("own"));
    TestPki.Files server = own.server("server", "ogp.example.com");

    ServerSecurity security =
        resolve(
            new ServerSecurityOptions(server.certificate(), server.privateKey(), null, null, null),
            BEYOND_LOOPBACK,
            List.of());

    assertEquals(server.certificate(), security.https().orElseThrow().certificate());
  }

  @Test
  void aGivenServerCertificateWithoutAClientCaKeepsJoinTokenAgentsAndNobodyEnrols()
      throws Exception {
    TestPki own = new TestPki(tmp.resolve("own"));
    TestPki.Files server = own.server("server", "ogp.example.com");

    ServerSecurity security =
        resolve(
            new ServerSecurityOptions(server.certificate(), server.privateKey(), null, null, null),
            BEYOND_LOOPBACK,
            List.of());

    ServerTls agentTls = security.agentTls().orElseThrow();
    assertEquals(server.certificate(), agentTls.certificate());
    assertFalse(agentTls.mutual(), "server-verified TLS, agents with join tokens as before");
    assertFalse(security.enrols(), "an enrolling agent would pin a CA this chain does not hold");
  }

  @Test
  void insecureAgentLinkLeavesTheAgentPortPlainButNotHttp() throws Exception {
    ServerSecurity security =
        resolve(none(), BEYOND_LOOPBACK, List.of("ogp.example.com"), null, null, true);

    assertTrue(security.agentTls().isEmpty());
    assertTrue(security.https().isPresent());
    assertFalse(security.enrols(), "a plain port has no enrolment");
  }

  @Test
  void onLoopbackNothingIsMadeAndTheExplicitFlagsApplyAsBefore() throws Exception {
    ServerSecurity plain = resolve(none(), "127.0.0.1", List.of());
    assertTrue(plain.agentTls().isEmpty());
    assertTrue(plain.https().isEmpty());
    assertTrue(plain.ca().isEmpty());
    assertFalse(Files.exists(tmp.resolve("pki")));

    TestPki own = new TestPki(tmp.resolve("own"));
    TestPki.Files server = own.server("server", "localhost");
    ServerSecurity explicit =
        resolve(
            new ServerSecurityOptions(
                server.certificate(), server.privateKey(), own.caCertificate(), null, null),
            "localhost",
            List.of());
    assertTrue(explicit.agentTls().orElseThrow().mutual());
    assertFalse(explicit.agentTls().get().clientCertificateOptional(), "required, as before");
  }

  @Test
  void aServerNameThatIsNeitherADnsNameNorAnAddressIsBadUsageAndMakesNothing() {
    CommandFailure bad =
        assertThrows(
            CommandFailure.class,
            () -> resolve(none(), BEYOND_LOOPBACK, List.of("ogp.example.com", "bad name")));
    assertEquals(2, bad.exitCode());
    assertTrue(bad.getMessage().contains("'bad name'"), bad.getMessage());
  }

  @Test
  void halfACaPairIsBadUsage() {
    CommandFailure bad =
        assertThrows(
            CommandFailure.class,
            () -> resolve(none(), BEYOND_LOOPBACK, List.of(), tmp.resolve("ca.crt"), null, false));
    assertEquals(2, bad.exitCode());
    assertTrue(bad.getMessage().contains("--ca-key"), bad.getMessage());
  }

  @Test
  void serverNamesComeFromRepeatedFlagsCommasOrOneVariableAndInsecureAgentLinkFromItsVariable() {
    picocli.CommandLine cli = Main.commandLine(java.util.Map.of());
    cli.parseArgs(
        "server",
        "--repo",
        "x",
        "--server-name",
        "a.example",
        "--server-name",
        "10.0.0.1,b.example");
    ServerCommand flags = cli.getSubcommands().get("server").getCommand();
    assertEquals(List.of("a.example", "10.0.0.1", "b.example"), flags.serverNames);
    assertFalse(flags.insecureAgentLink);

    cli =
        Main.commandLine(
            java.util.Map.of(
                "OGP_SERVER_NAME", "c.example,10.0.0.2", "OGP_INSECURE_AGENT_LINK", "true"));
    cli.parseArgs("server", "--repo", "x");
    ServerCommand fromEnvironment = cli.getSubcommands().get("server").getCommand();
    assertEquals(List.of("c.example", "10.0.0.2"), fromEnvironment.serverNames);
    assertTrue(fromEnvironment.insecureAgentLink);
  }

  @Test
  void thePlainHttpAnswerNamesTheHttpsUrlFromOnlyHostPortAndPathCharacters() {
    assertEquals(
        "https://ogp.example.com:8080/api/v1/hosts?x=1",
        PlainHttpOnHttpsPort.httpsUrl(
            request("GET /api/v1/hosts?x=1 HTTP/1.1\r\nHost: ogp.example.com:8080\r\n\r\n"), null));
    // A Host with markup or a path with spaces is not echoed: the dialed address and / instead.
    assertEquals(
        "https://192.0.2.10:8443/",
        PlainHttpOnHttpsPort.httpsUrl(
            request("GET /<script> x HTTP/1.1\r\nHost: <b>evil</b>\r\n\r\n"),
            new java.net.InetSocketAddress("192.0.2.10", 8443)));
  }

  private static ByteBuffer request(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
  }
}
