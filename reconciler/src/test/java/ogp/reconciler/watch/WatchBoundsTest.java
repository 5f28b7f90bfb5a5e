package ogp.reconciler.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The watch's memory is bounded in bytes: its history, each watcher's queue, each new list. */
class WatchBoundsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BIG = "x".repeat(100_000);
  private WatchHub hub;

  private WatchHub hub(WatchSettings settings) {
    hub = new WatchHub(settings, JSON, new SimpleMeterRegistry(), java.time.Clock.systemUTC());
    return hub;
  }

  @AfterEach
  void close() {
    if (hub != null) hub.close();
  }

  @Test
  void historyStaysUnderItsByteBoundAndAResumeFromBeforeItIsGone() {
    WatchHistory history = new WatchHistory(10_000, 1 << 20, 0);
    for (int i = 0; i < 100; i++) {
      history.append("ADDED", "Event", BIG.getBytes());
      assertTrue(history.bytes() <= 1 << 20, "history holds " + history.bytes());
    }
    assertTrue(history.after(0).isEmpty(), "the oldest changes were dropped");
    assertEquals(10, history.after(history.current() - 10).orElseThrow().size());
  }

  @Test
  void aNewWatchStreamsTheInitialListInsteadOfCopyingEveryObject() throws Exception {
    WatchHub hub = hub(WatchSettings.defaults());
    Map<String, Object> hosts = new LinkedHashMap<>();
    for (int i = 0; i < 500; i++) hosts.put("h" + i, Map.of("name", "h" + i, "error", BIG));
    hub.sync(WatchKind.Host, hosts); // 50 MB of current objects

    Watch[] watches = new Watch[20];
    for (int i = 0; i < watches.length; i++) watches[i] = hub.watch(OptionalLong.empty(), () -> {});
    assertEquals(0, hub.queuedBytes(), "twenty new watches queue nothing: the list is streamed");

    Map<String, Object> changed = new LinkedHashMap<>(hosts);
    changed.put("h500", Map.of("name", "h500"));
    changed.put("h0", Map.of("name", "h0")); // h0 modified, h500 added while the lists stream
    hub.sync(WatchKind.Host, changed);
    int added = 0;
    JsonNode last = null;
    for (byte[] line; (line = watches[0].poll()) != null; ) {
      last = JSON.readTree(line);
      if (last.get("type").asText().equals("ADDED")) added++;
      if (last.at("/object/initialEventsEnd").asBoolean()) break;
    }
    assertEquals(500, added, "the list is the objects as they were when the watch began");
    assertTrue(last.at("/object/initialEventsEnd").asBoolean());
  }

  @Test
  void aWatcherThatFallsBehindInBytesIsCutOffWithAClearError() throws Exception {
    WatchHub hub = hub(WatchSettings.defaults().withBytes(64L << 20, 1 << 20));
    Watch slow = hub.watch(OptionalLong.empty(), () -> {});
    for (byte[] line; (line = slow.poll()) != null; ) {} // the list read, then nothing
    for (int i = 0; i < 20; i++) hub.append(WatchKind.Event, Map.of("message", BIG));

    assertTrue(hub.queuedBytes() <= 1 << 20, "queued: " + hub.queuedBytes());
    assertEquals(0, hub.watchers(), "the slow watcher was let go");
    JsonNode error = JSON.readTree(slow.poll());
    assertEquals("ERROR", error.get("type").asText());
    assertEquals(410, error.at("/object/code").asInt());
    assertTrue(
        error.at("/object/message").asText().contains("1048576 bytes behind"), error.toString());
    assertTrue(slow.finished());
  }

  @Test
  void watcherLimitsMustBePositive() {
    assertThrows(
        IllegalArgumentException.class, () -> WatchSettings.defaults().withWatcherLimits(0, 10));
  }
}
