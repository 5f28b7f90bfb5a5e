package ogp.reconciler.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WatchHubTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final WatchHub hub =
      new WatchHub(
          new WatchSettings(100, 3, Duration.ofHours(1)),
          JSON,
          new SimpleMeterRegistry(),
          java.time.Clock.systemUTC());

  @AfterEach
  void close() {
    hub.close();
  }

  private static List<JsonNode> drain(Watch w) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (byte[] l; (l = w.poll()) != null; ) lines.add(JSON.readTree(l));
    return lines;
  }

  private static List<String> types(List<JsonNode> lines) {
    return lines.stream().map(l -> l.get("type").asText() + " " + l.get("kind").asText()).toList();
  }

  @Test
  void syncEmitsAddedModifiedOnlyWhenTheJsonChangedAndDeleted() throws Exception {
    Watch w = hub.watch(OptionalLong.empty(), () -> {});
    drain(w);
    hub.sync(WatchKind.App, Map.of("web", Map.of("v", 1)));
    hub.sync(WatchKind.App, Map.of("web", Map.of("v", 1))); // unchanged: nothing
    hub.sync(WatchKind.App, Map.of("web", Map.of("v", 2)));
    hub.sync(WatchKind.App, Map.of());
    assertEquals(List.of("ADDED App", "MODIFIED App", "DELETED App"), types(drain(w)));
  }

  /** A watched object that counts how often it is serialized (JSON reads its accessor). */
  record Counted(int v) {
    static final java.util.concurrent.atomic.AtomicInteger SERIALIZED =
        new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public int v() {
      SERIALIZED.incrementAndGet();
      return v;
    }
  }

  @Test
  void anObjectEqualToTheCurrentOneIsNeitherSerializedAgainNorModified() throws Exception {
    Watch w = hub.watch(OptionalLong.empty(), () -> {});
    drain(w);
    Counted.SERIALIZED.set(0);
    hub.sync(WatchKind.Host, Map.of("h1", new Counted(1), "h2", new Counted(1)));
    hub.sync(
        WatchKind.Host,
        Map.of("h1", new Counted(1), "h2", new Counted(2))); // equal, not the same object
    assertEquals(3, Counted.SERIALIZED.get(), "h1 once, h2 twice");
    List<JsonNode> lines = drain(w);
    assertEquals(List.of("ADDED Host", "ADDED Host", "MODIFIED Host"), types(lines));
    assertEquals(2, lines.get(2).at("/object/v").asInt());
  }

  @Test
  void aNewWatchListsCurrentObjectsAtTheCurrentVersionThenAnEndBookmark() throws Exception {
    hub.sync(WatchKind.Host, Map.of("h1", Map.of("status", "connected")));
    hub.sync(WatchKind.App, Map.of("web", Map.of("v", 1)));
    hub.append(WatchKind.Event, Map.of("reason", "x")); // events are not part of the list
    List<JsonNode> lines = drain(hub.watch(OptionalLong.empty(), () -> {}));
    assertEquals(List.of("ADDED Host", "ADDED App", "BOOKMARK Bookmark"), types(lines));
    lines.forEach(l -> assertEquals(hub.resourceVersion(), l.get("resourceVersion").asLong()));
    assertTrue(lines.get(2).at("/object/initialEventsEnd").asBoolean());
  }

  @Test
  void aWatcherThatFallsBehindItsBufferIsCutOffWithOneError() throws Exception {
    Watch slow = hub.watch(OptionalLong.of(hub.resourceVersion()), () -> {});
    for (int i = 0; i < 4; i++) hub.append(WatchKind.Event, Map.of("n", i));
    List<JsonNode> lines = drain(slow);
    assertEquals(
        List.of("ERROR Status"), types(lines), "the queued lines are dropped for the error");
    assertEquals(410, lines.get(0).at("/object/code").asInt());
    assertTrue(slow.finished() && slow.isCutOff());
    assertEquals(0, hub.watchers());
  }

  @Test
  void theBacklogOfAResumeDoesNotCountAgainstTheBuffer() throws Exception {
    long from = hub.resourceVersion();
    for (int i = 0; i < 10; i++) hub.append(WatchKind.Event, Map.of("n", i));
    Watch w = hub.watch(OptionalLong.of(from), () -> {});
    hub.append(WatchKind.Event, Map.of("n", 10));
    List<JsonNode> lines = drain(w);
    assertEquals(11, lines.size());
    for (int i = 0; i < 11; i++) assertEquals(i, lines.get(i).at("/object/n").asInt());
  }

  @Test
  void resumeFromAnUnretainedVersionIsGoneAndCloseEndsWatchesWithAnError() throws Exception {
    assertThrows(
        WatchHub.ResourceVersionGone.class,
        () -> hub.watch(OptionalLong.of(hub.resourceVersion() - 1), () -> {}));
    Watch w = hub.watch(OptionalLong.of(hub.resourceVersion()), () -> {});
    hub.close();
    List<JsonNode> lines = drain(w);
    assertEquals(503, lines.get(lines.size() - 1).at("/object/code").asInt());
    assertTrue(w.finished());
    assertNull(w.poll());
  }
}
