package ogp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A peer's text is one bounded line in the log, whatever it holds. */
class LogTextTest {
  @Test
  void lineBreaksAndOtherControlsAreEscapedAndQuotesToo() {
    assertEquals("\"a\\u000d\\u000ab\\\"c\\\\\"", LogText.quote("a\r\nb\"c\\"));
    assertEquals("a\\u001b[31m\\u2028b", LogText.escape("a\u001b[31m\u2028b", 100));
  }

  @Test
  void longTextIsCutWithItsLength() {
    String quoted = LogText.quote("x".repeat(10_000), 80);
    assertTrue(quoted.endsWith("…\" (10000 characters)"), quoted);
    assertTrue(quoted.length() < 120, quoted);
    assertEquals("xx… (3 characters)", LogText.escape("xxx", 2));
  }

  @Test
  void ordinaryTextIsShownAsItIs() {
    assertEquals("\"db-1 {role=db}\"", LogText.quote("db-1 {role=db}"));
    assertFalse(LogText.escape("héllo wörld", 100).contains("\\u"));
  }

  @Test
  void hostIdsAreDnsLabels() {
    assertTrue(HostIds.valid("db-1"));
    assertTrue(HostIds.valid("a".repeat(63)));
    for (String bad : new String[] {"", "DB", "db_1", "-a", "a-", "a.b", "a".repeat(64), "a\nb"}) {
      assertFalse(HostIds.valid(bad), bad);
      assertTrue(HostIds.problem(bad).orElseThrow().contains("is not a DNS label"), bad);
    }
  }
}
