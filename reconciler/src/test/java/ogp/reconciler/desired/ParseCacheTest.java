package ogp.reconciler.desired;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ParseCacheTest {
  private final DesiredStateReader reader = new DesiredStateReader();

  private static byte[] app(String version) {
    return ("app: web\nimage: nginx\nversion: \"" + version + "\"\nhosts: [a]\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void equalBytesAtAPathAreParsedOnceAndTheSameResultIsReused() {
    ParseCache cache = new ParseCache();
    FileResult first = cache.read(reader, "apps/web.yaml", app("1"));
    FileResult again = cache.read(reader, "apps/web.yaml", app("1")); // another array, same bytes
    assertSame(first, again);
    assertEquals(1, cache.hits());
    assertEquals(1, cache.misses());
    assertEquals("1", first.apps().get(0).version());
  }

  @Test
  void changedBytesAreParsedAgainAndReplaceTheEntry() {
    ParseCache cache = new ParseCache();
    FileResult v1 = cache.read(reader, "apps/web.yaml", app("1"));
    FileResult v2 = cache.read(reader, "apps/web.yaml", app("2"));
    assertNotSame(v1, v2);
    assertEquals("2", v2.apps().get(0).version());
    assertEquals(1, cache.size());
    assertEquals(2, cache.misses());
  }

  @Test
  void theLeastRecentlyUsedPathGoesBeyondTheBound() {
    ParseCache cache = new ParseCache(2);
    cache.read(reader, "a.yaml", app("1"));
    cache.read(reader, "b.yaml", app("1"));
    cache.read(reader, "a.yaml", app("1")); // a is used again: b is now the eldest
    cache.read(reader, "c.yaml", app("1"));
    assertEquals(2, cache.size());
    cache.read(reader, "a.yaml", app("1"));
    assertEquals(2, cache.hits()); // a twice; b was evicted, not read again here
    cache.read(reader, "b.yaml", app("1"));
    assertEquals(4, cache.misses()); // a, b, c, then b again
  }

  @Test
  void aCacheOfNoneParsesEveryRead() {
    ParseCache none = ParseCache.none();
    FileResult first = none.read(reader, "apps/web.yaml", app("1"));
    FileResult again = none.read(reader, "apps/web.yaml", app("1"));
    assertNotSame(first, again);
    assertEquals(0, none.size());
  }
}
