package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import ogp.agent.identity.CertificateRequest;
import ogp.agent.identity.EnrolledIdentity;
import ogp.reconciler.pki.CertificateAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ogp agent enroll} and {@code ogp agent} with and without an enrolment: bad usage is one
 * sentence and exit 2, and touches nothing.
 */
class AgentEnrollCommandTest {
  private static final String PIN = "sha256:" + "0f".repeat(32);

  @TempDir Path dir;

  @Test
  void badPinsHostIdsAndTokenFlagsAreBadUsageAndWriteNothing() {
    Path data = dir.resolve("agent");
    assertUsage(
        "--ca-hash must be sha256:",
        "agent",
        "enroll",
        "--server",
        "h:7070",
        "--token",
        "t",
        "--ca-hash",
        "md5:1",
        "--host-id",
        "a",
        "--data-dir",
        data.toString());
    assertUsage(
        "--host-id",
        "agent",
        "enroll",
        "--server",
        "h:7070",
        "--token",
        "t",
        "--ca-hash",
        PIN,
        "--host-id",
        "Web_1",
        "--data-dir",
        data.toString());
    assertUsage(
        "exactly one of --token or --token-file",
        "agent",
        "enroll",
        "--server",
        "h:7070",
        "--ca-hash",
        PIN,
        "--host-id",
        "a",
        "--data-dir",
        data.toString());
    assertUsage(
        "exactly one of --token or --token-file",
        "agent",
        "enroll",
        "--server",
        "h:7070",
        "--token",
        "t",
        "--token-file",
        "f",
        "--ca-hash",
        PIN,
        "--host-id",
        "a",
        "--data-dir",
        data.toString());
    assertUsage(
        "HOST:PORT",
        "agent",
        "enroll",
        "--server",
        "h",
        "--token",
        "t",
        "--ca-hash",
        PIN,
        "--host-id",
        "a",
        "--data-dir",
        data.toString());
    assertFalse(Files.exists(data), "nothing written");
  }

  @Test
  void anUnreachableServerFailsWithOneSentenceAndExitOne() {
    OgpRun run =
        ogp(
            "agent",
            "enroll",
            "--server",
            "127.0.0.1:1",
            "--token",
            "t",
            "--ca-hash",
            PIN,
            "--host-id",
            "a",
            "--data-dir",
            dir.resolve("agent").toString());
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.err().contains("cannot connect to 127.0.0.1:1"), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
  }

  @Test
  void agentWithoutAnEnrolmentNeedsServerAndHostId() {
    OgpRun run = ogp("agent", "--data-dir", dir.resolve("agent").toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("--server and --host-id are required"), run.err());
  }

  @Test
  void anEnrolledAgentRefusesAnotherHostIdThanItsEnrolment() throws Exception {
    Path data = dir.resolve("agent");
    EnrolledIdentity identity = EnrolledIdentity.in(data);
    Files.createDirectories(identity.dir());
    for (Path f : new Path[] {identity.keyFile(), identity.certificateFile(), identity.caFile()}) {
      Files.writeString(f, "placeholder");
    }
    Files.writeString(
        identity.dir().resolve(EnrolledIdentity.ENROLMENT),
        "{\"server\": \"localhost:7070\", \"hostId\": \"host-a\"}");

    OgpRun run = ogp("agent", "--host-id", "host-b", "--data-dir", data.toString());

    assertEquals(2, run.exit(), run.err());
    assertTrue(
        run.err().contains("differs from the host id this data dir is enrolled as (host-a)"),
        run.err());
  }

  @Test
  void anEnrolledAgentWhoseCertificateExpiredSaysHowToEnrolAgainAndExitsOne() throws Exception {
    Path data = dir.resolve("agent");
    EnrolledIdentity identity = EnrolledIdentity.in(data);
    KeyPair keys = CertificateRequest.newKeyPair();
    identity.writeKey(keys.getPrivate());
    // Issued 60 days ago for 30 days: the host was off past its renewal.
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofDays(60)), ZoneOffset.UTC);
    CertificateAuthority ca = CertificateAuthority.create("test CA", past, new SecureRandom());
    identity.writeCertificate(ca.issueAgent("host-a", keys.getPublic(), Duration.ofDays(30)));
    identity.complete(
        ca.certificate().certificate(), new EnrolledIdentity.Enrolment("localhost:7070", "host-a"));

    OgpRun run = ogp("agent", "--data-dir", data.toString());

    assertEquals(1, run.exit(), run.err());
    assertTrue(run.err().contains("expired at"), run.err());
    assertTrue(run.err().contains("ogp hosts release host-a"), run.err());
  }

  private static void assertUsage(String expected, String... args) {
    OgpRun run = ogp(args);
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains(expected), run.err());
  }
}
