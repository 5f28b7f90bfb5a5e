package ogp.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogTextTest {

  @Test
  void escapesControlCharactersAndQuotesAndBoundsLength() {
    assertEquals("\"a\\u000d\\u000ab\\\"c\\\\\"", LogText.quote("a\r\nb\"c\\"));
    assertEquals("\"x\\u2028y\"", LogText.quote("x\u2028y"));
    String quoted = LogText.quote("z".repeat(1_000));
    assertEquals("\"" + "z".repeat(200) + "…\" (1000 characters)", quoted);
  }
}
