package ogp.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ogp.reconciler.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The claims' keys and values (the store's transaction is proven against etcd elsewhere). */
class EtcdRevertClaimsTest {
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private final InMemoryFencedStore store = new InMemoryFencedStore();
  private final EtcdRevertClaims claims =
      new EtcdRevertClaims(store, "replica-a", MutableClock.at("2026-03-01T10:00:00Z"));

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void aClaimIsGrantedOnceAndRecordsWhoClaimedAndWhen() {
    assertTrue(claims.claim("web", SHA));
    assertFalse(claims.claim("web", SHA));

    assertEquals(
        "{\"member\":\"replica-a\",\"claimedAt\":\"2026-03-01T10:00:00Z\"}",
        new String(store.peek("autorevert/web@" + SHA).orElseThrow(), UTF_8));
  }

  @Test
  void aDeposedLeaderIsGrantedNoClaim() {
    store.depose();

    assertFalse(claims.claim("web", SHA));
    assertTrue(store.peek("autorevert/web@" + SHA).isEmpty());
  }

  @Test
  void namesThatCouldLeaveTheClaimsPrefixAreRefusedAndNothingIsWritten() {
    for (String app : new String[] {"../leader", "Web", "", "a/b"})
      assertThrows(IllegalArgumentException.class, () -> claims.claim(app, SHA), app);
    assertThrows(IllegalArgumentException.class, () -> claims.claim("web", "HEAD~1"));
    assertTrue(store.list("").isEmpty());
  }
}
