package ogp.reconciler.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
  @TempDir Path dataDir;
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final SecureRandom random = new SecureRandom();

  @Test
  void firstStartWritesHandOverFilesAndTheStoreHoldsNoPlaintextToken() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);

    String store0 = Files.readString(dataDir.resolve(TokenStore.FILE));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dataDir.resolve(TokenStore.FILE))));
    for (TokenStore.HandOver h : TokenStore.HAND_OVERS) {
      Path file = dataDir.resolve(h.fileName());
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
          h.fileName());
      String token = Files.readString(file).strip();
      assertFalse(store0.contains(token), "the store holds the plaintext of " + h.name());
      assertEquals(Optional.of(new TokenGrant(h.name(), h.role())), store.verify(token));
    }
    assertTrue(
        store0.contains(
            TokenStore.sha256(Files.readString(dataDir.resolve("admin-token")).strip())));
  }

  @Test
  void storeHoldsNoPlaintextTokenOfCreatedOrRotatedTokens() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    String created = store.create("jenkins", Role.DEPLOYER, Optional.empty(), random);
    String rotated = store.rotate("jenkins", Duration.ofHours(1), Optional.empty(), random);

    String text = Files.readString(store.file());
    assertFalse(text.contains(created));
    assertFalse(text.contains(rotated));
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
  }

  @Test
  void handOverFilesMayBeDeletedWithoutBreakingAnything() throws Exception {
    TokenStore.bootstrap(dataDir, clock, random);
    String join = Files.readString(dataDir.resolve("join-token")).strip();
    String admin = Files.readString(dataDir.resolve("admin-token")).strip();
    Files.delete(dataDir.resolve("join-token"));
    Files.delete(dataDir.resolve("admin-token"));

    TokenStore restarted = TokenStore.bootstrap(dataDir, clock, random);
    assertEquals(Optional.of(new TokenGrant("join", Role.JOIN)), restarted.verify(join));
    assertEquals(Optional.of(new TokenGrant("admin", Role.ADMIN)), restarted.verify(admin));
    assertFalse(
        Files.exists(dataDir.resolve("join-token")), "not written again once the store exists");
  }

  @Test
  void plaintextTokenFilesOfAnOlderDataDirAreHashedIntoTheStore() throws Exception {
    Files.writeString(dataDir.resolve("join-token"), "old-join-token\n");
    Files.writeString(dataDir.resolve("admin-token"), "old-admin-token\n");

    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    assertEquals(Optional.of(new TokenGrant("join", Role.JOIN)), store.verify("old-join-token"));
    assertEquals(Optional.of(new TokenGrant("admin", Role.ADMIN)), store.verify("old-admin-token"));
    assertTrue(store.has("viewer"), "a missing viewer token is generated");
    assertEquals(
        "old-join-token\n",
        Files.readString(dataDir.resolve("join-token")),
        "hand-over file left as it was");
    assertFalse(Files.readString(store.file()).contains("old-admin-token"));
  }

  @Test
  void rotatedJoinTokenAcceptsOldUntilGraceEnds() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    String old = Files.readString(dataDir.resolve("join-token")).strip();

    String fresh = store.rotate("join", Duration.ofHours(1), Optional.empty(), random);
    assertTrue(store.verify(fresh).isPresent(), "the new token works at once");
    assertTrue(store.verify(old).isPresent(), "the old one during the grace");
    clock.advance(Duration.ofMinutes(59));
    assertTrue(store.verify(old).isPresent());
    clock.advance(Duration.ofMinutes(1));
    assertEquals(Optional.empty(), store.verify(old), "refused when the grace ends");
    assertEquals(Optional.of(new TokenGrant("join", Role.JOIN)), store.verify(fresh));
  }

  @Test
  void rotationWithoutGraceRefusesTheOldTokenAtOnce() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    String old = Files.readString(dataDir.resolve("admin-token")).strip();
    String fresh = store.rotate("admin", Duration.ZERO, Optional.empty(), random);
    assertEquals(Optional.empty(), store.verify(old));
    assertEquals(Optional.of(new TokenGrant("admin", Role.ADMIN)), store.verify(fresh));
  }

  @Test
  void expiredTokenIsRefusedAndNoLongerListed() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    String ci =
        store.create(
            "ci", Role.VIEWER, Optional.of(clock.instant().plus(Duration.ofDays(30))), random);
    assertTrue(store.verify(ci).isPresent());
    clock.advance(Duration.ofDays(30));
    assertEquals(Optional.empty(), store.verify(ci));
    assertFalse(store.has("ci"));
  }

  @Test
  void revokedTokenIsRefusedAtOnce() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    String ci = store.create("ci", Role.DEPLOYER, Optional.empty(), random);
    store.revoke("ci");
    assertEquals(Optional.empty(), store.verify(ci));
    assertThrows(IllegalStateException.class, () -> store.revoke("ci"));
  }

  @Test
  void aSecondStoreOnTheSameFileSeesChangesWithoutReopening() throws Exception {
    TokenStore server = TokenStore.bootstrap(dataDir, clock, random);
    TokenStore command = TokenStore.open(dataDir, clock);
    String ci = command.create("ci", Role.DEPLOYER, Optional.empty(), random);
    assertEquals(Optional.of(new TokenGrant("ci", Role.DEPLOYER)), server.verify(ci));
    command.revoke("ci");
    assertEquals(Optional.empty(), server.verify(ci));
  }

  @Test
  void inMemoryVerifierSeesChangesOnlyAfterARefresh() throws Exception {
    TokenStore server = TokenStore.bootstrap(dataDir, clock, random);
    String ci = TokenStore.open(dataDir, clock).create("ci", Role.JOIN, Optional.empty(), random);
    assertEquals(Optional.empty(), server.inMemory().verify(ci), "no disk access, so not yet");
    server.refresh();
    assertTrue(server.inMemory().verify(ci).isPresent());
  }

  @Test
  void aStoreMadeInvalidByHandKeepsTheLastValidTokens() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    String admin = Files.readString(dataDir.resolve("admin-token")).strip();
    Files.writeString(store.file(), "{ not json");
    assertTrue(store.verify(admin).isPresent());
  }

  @Test
  void createRefusesADuplicateOrMalformedName() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    assertThrows(
        IllegalStateException.class,
        () -> store.create("admin", Role.ADMIN, Optional.empty(), random));
    assertThrows(
        IllegalArgumentException.class,
        () -> store.create("two words", Role.ADMIN, Optional.empty(), random));
    assertThrows(
        IllegalArgumentException.class,
        () -> store.create("x\nOgp-Actor: root", Role.ADMIN, Optional.empty(), random));
  }

  @Test
  void listShowsNamesRolesAndDatesButNeverHashes() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    store.create(
        "jenkins", Role.DEPLOYER, Optional.of(Instant.parse("2027-01-01T00:00:00Z")), random);
    List<TokenStore.TokenInfo> list = store.list();
    assertEquals(
        List.of("admin", "jenkins", "join", "viewer"),
        list.stream().map(TokenStore.TokenInfo::name).toList());
    assertEquals(
        new TokenStore.TokenInfo(
            "jenkins",
            Role.DEPLOYER,
            clock.instant(),
            Optional.of(Instant.parse("2027-01-01T00:00:00Z"))),
        list.get(1));
  }

  @Test
  void apiRolesAreOrderedAndJoinIsApart() {
    assertTrue(Role.ADMIN.includes(Role.DEPLOYER));
    assertTrue(Role.DEPLOYER.includes(Role.VIEWER));
    assertFalse(Role.VIEWER.includes(Role.DEPLOYER));
    assertFalse(Role.ADMIN.includes(Role.JOIN));
    assertFalse(Role.JOIN.includes(Role.VIEWER));
  }

  static final class SettableClock extends Clock {
    private Instant now;

    SettableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void aJoinTokensUsesAreSpentOnDiskOneAtATimeAndTheLastOneOnlyOnce() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    String token = store.create("join-2", Role.JOIN, Optional.empty(), Optional.of(2), random);
    // Two stores on one data dir, as two processes: each spends with the other's spending seen.
    TokenStore other = TokenStore.open(dataDir, clock);

    assertTrue(store.consumeJoinUse(token) instanceof TokenStore.JoinUse.Spent);
    assertEquals(
        Optional.of(1),
        TokenStore.open(dataDir, clock).list().stream()
            .filter(t -> t.name().equals("join-2"))
            .findFirst()
            .orElseThrow()
            .usesLeft());
    assertTrue(other.consumeJoinUse(token) instanceof TokenStore.JoinUse.Spent);
    TokenStore.JoinUse third = store.consumeJoinUse(token);

    assertEquals(new TokenStore.JoinUse.Refused("the join token 'join-2' is used up"), third);
    assertEquals(Optional.empty(), store.verify(token), "a used-up token admits no plain Hello");
  }

  @Test
  void rotatingAUseLimitedJoinTokenWithAGracePeriodMovesItsUsesInsteadOfDoublingThem()
      throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    String old = store.create("join-3", Role.JOIN, Optional.empty(), Optional.of(3), random);

    String rotated = store.rotate("join-3", Duration.ofHours(1), Optional.empty(), random);

    assertTrue(store.consumeJoinUse(old) instanceof TokenStore.JoinUse.Refused);
    for (int i = 0; i < 3; i++) {
      assertTrue(store.consumeJoinUse(rotated) instanceof TokenStore.JoinUse.Spent, "use " + i);
    }
    assertTrue(store.consumeJoinUse(rotated) instanceof TokenStore.JoinUse.Refused);
  }

  @Test
  void eightEnrolmentsRacingForTheLastUseFromTwoStoresGetItOnce() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    String token = store.create("join-last", Role.JOIN, Optional.empty(), Optional.of(1), random);
    TokenStore other = TokenStore.open(dataDir, clock);
    java.util.concurrent.ExecutorService racers =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<TokenStore.JoinUse>> uses = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        TokenStore racer = i % 2 == 0 ? store : other;
        uses.add(
            racers.submit(
                () -> {
                  go.await();
                  return racer.consumeJoinUse(token);
                }));
      }
      go.countDown();
      long spent = 0;
      for (var use : uses) {
        if (use.get() instanceof TokenStore.JoinUse.Spent) spent++;
      }
      assertEquals(1, spent);
    } finally {
      racers.shutdownNow();
    }
  }

  @Test
  void aPlainHelloAcceptsAJoinTokenWithUsesLeftAndSpendsNone() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    String token = store.create("join-1", Role.JOIN, Optional.empty(), Optional.of(1), random);

    assertEquals(Optional.of(new TokenGrant("join-1", Role.JOIN)), store.verify(token));
    assertEquals(Optional.of(new TokenGrant("join-1", Role.JOIN)), store.verify(token));
    assertEquals(Optional.empty(), store.joinRefusal(token));
  }

  @Test
  void anApiTokenOrAnExpiredJoinTokenSpendsNothingAndSaysWhy() throws Exception {
    TokenStore store = TokenStore.bootstrap(dataDir, clock, random);
    String api = store.create("ci", Role.DEPLOYER, Optional.empty(), random);
    String join =
        store.create(
            "join-h",
            Role.JOIN,
            Optional.of(clock.instant().plusSeconds(60)),
            Optional.of(5),
            random);
    clock.advance(Duration.ofSeconds(120));

    assertEquals(
        new TokenStore.JoinUse.Refused("the token is not a join token"), store.consumeJoinUse(api));
    TokenStore.JoinUse expired = store.consumeJoinUse(join);
    assertTrue(
        expired instanceof TokenStore.JoinUse.Refused r && r.reason().contains("expired"),
        String.valueOf(expired));
    assertThrows(
        IllegalArgumentException.class,
        () -> store.create("ci-2", Role.DEPLOYER, Optional.empty(), Optional.of(3), random));
  }
}
