package ogp.reconciler.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WatchHistoryTest {
  /** A history of capacity 3 starting at 100 after {@code appended} changes (101, 102, ...). */
  private static WatchHistory after(int appended) {
    WatchHistory h = new WatchHistory(3, 100);
    for (int i = 0; i < appended; i++)
      h.append(WatchLine.ADDED, "App", Long.toString(i).getBytes());
    return h;
  }

  @ParameterizedTest(name = "{0} appended, resume after {1} -> {2}")
  @CsvSource({
    // appended, from, expected versions (GONE = 410)
    "0, 100, ''",
    "0, 99,  GONE",
    "0, 101, GONE",
    "2, 100, 101 102",
    "2, 101, 102",
    "2, 102, ''",
    "3, 100, 101 102 103",
    "4, 100, GONE", // 101 was evicted: resuming after 100 would lose it
    "4, 101, 102 103 104", // the oldest resumable version is the last evicted one
    "4, 104, ''",
    "4, 105, GONE", // never issued (e.g. by an earlier server run)
    "10, 107, 108 109 110",
    "10, 106, GONE",
  })
  void resumesExactlyAfterTheVersionOrIsGone(int appended, long from, String expected) {
    Optional<List<WatchHistory.Entry>> result = after(appended).after(from);
    if ("GONE".equals(expected)) {
      assertEquals(Optional.empty(), result.map(l -> "present"));
      return;
    }
    List<Long> versions =
        result.orElseThrow().stream().map(WatchHistory.Entry::resourceVersion).toList();
    List<Long> want =
        expected.isBlank()
            ? List.of()
            : java.util.Arrays.stream(expected.split(" ")).map(Long::parseLong).toList();
    assertEquals(want, versions);
  }

  @ParameterizedTest(name = "{0} appended -> floor {1}, current {2}")
  @CsvSource({"0, 100, 100", "3, 100, 103", "4, 101, 104", "7, 104, 107"})
  void floorIsTheLastEvictedVersion(int appended, long floor, long current) {
    WatchHistory h = after(appended);
    assertEquals(floor, h.floor());
    assertEquals(current, h.current());
  }
}
