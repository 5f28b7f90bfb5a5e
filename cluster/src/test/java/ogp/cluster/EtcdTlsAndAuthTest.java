package ogp.cluster;

import static ogp.cluster.EtcdFencedStoreTest.text;
import static ogp.cluster.EtcdFencedStoreTest.utf8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import ogp.reconciler.testing.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica on an etcd that takes https only, wants a client certificate signed by its CA, and has
 * user authentication on: the flags' TLS files and user with password file get it in, and a wrong
 * password or a missing certificate keep it out, as one clear error from every call.
 */
class EtcdTlsAndAuthTest {
  private static final String PREFIX = "/ogp-tls/";
  private static final String PASSWORD = "correct horse battery staple";

  @TempDir static Path dir;
  private static TestPki pki;
  private static TestPki.Files client;
  private static EtcdTestCluster etcd;

  @BeforeAll
  static void startEtcdWithTlsAndAuth() throws Exception {
    EtcdTestCluster.requireEtcd();
    pki = new TestPki(dir);
    TestPki.Files server = pki.server("etcd", "localhost", "127.0.0.1");
    client = pki.agent("client", "ogp-client");
    etcd =
        EtcdTestCluster.startNew(
            1,
            Optional.of(
                new EtcdTestCluster.Tls(
                    pki.caCertificate(), server.certificate(), server.privateKey())));
    try (Client admin = EtcdClients.build(settings(Optional.of(client), Optional.empty()))) {
      Auth auth = admin.getAuthClient();
      wait(auth.roleAdd(bytes("root")));
      wait(auth.userAdd(bytes("root"), bytes("root password")));
      wait(auth.userGrantRole(bytes("root"), bytes("root")));
      wait(auth.roleAdd(bytes("ogp")));
      wait(
          auth.roleGrantPermission(
              bytes("ogp"), bytes(PREFIX), bytes("/ogp-tls0"), Permission.Type.READWRITE));
      wait(auth.userAdd(bytes("ogp"), bytes(PASSWORD)));
      wait(auth.userGrantRole(bytes("ogp"), bytes("ogp")));
      wait(auth.authEnable());
    }
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) etcd.close();
  }

  @Test
  void aReplicaWithTheCaItsClientCertificateAndItsPasswordLeadsAndWrites() throws Exception {
    Path passwordFile = Files.writeString(dir.resolve("password"), PASSWORD + "\n");
    try (EtcdLeadership replica =
        EtcdLeadership.start(
            settings(Optional.of(client), Optional.of(passwordFile)),
            TestReplicas.member("a"),
            Clock.systemUTC())) {
      await("it leads").atMost(Duration.ofSeconds(10)).until(replica::mayCommand);

      assertTrue(replica.store().put("tokens/admin", utf8("hash")));
      assertEquals("hash", text(replica.store().get("tokens/admin").orElseThrow()));
      await("it lists itself as a member")
          .atMost(Duration.ofSeconds(3))
          .until(() -> replica.members().equals(List.of(TestReplicas.member("a"))));
    }
  }

  @Test
  void aWrongPasswordKeepsTheReplicaOutWithAClearError() throws Exception {
    Path passwordFile = Files.writeString(dir.resolve("wrong"), "not the password\n");
    try (EtcdLeadership replica =
        EtcdLeadership.start(
            settings(Optional.of(client), Optional.of(passwordFile)),
            TestReplicas.member("intruder"),
            Clock.systemUTC())) {
      ClusterUnavailable error =
          assertThrows(ClusterUnavailable.class, () -> replica.store().get("tokens/admin"));

      assertTrue(error.getMessage().contains("authentication failed"), error.getMessage());
      assertFalse(replica.leading());
      assertFalse(error.getMessage().contains("not the password"));
    }
  }

  @Test
  void withoutAClientCertificateTheReplicaIsKeptOut() throws Exception {
    Path passwordFile = Files.writeString(dir.resolve("password2"), PASSWORD + "\n");
    try (EtcdLeadership replica =
        EtcdLeadership.start(
            settings(Optional.empty(), Optional.of(passwordFile)),
            TestReplicas.member("no-cert"),
            Clock.systemUTC())) {
      assertThrows(ClusterUnavailable.class, () -> replica.store().get("tokens/admin"));
      assertFalse(replica.leading());
    }
  }

  private static EtcdSettings settings(
      Optional<TestPki.Files> certificate, Optional<Path> password) {
    return new EtcdSettings(
        etcd.endpoints(),
        Optional.of(pki.caCertificate()),
        certificate.map(TestPki.Files::certificate),
        certificate.map(TestPki.Files::privateKey),
        password.map(p -> "ogp"),
        password,
        PREFIX,
        Duration.ofSeconds(3),
        Duration.ofSeconds(2));
  }

  private static void wait(java.util.concurrent.CompletableFuture<?> call) throws Exception {
    call.get(10, TimeUnit.SECONDS);
  }

  private static ByteSequence bytes(String text) {
    return EtcdCalls.bytes(text);
  }
}
