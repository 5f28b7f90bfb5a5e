package ogp.reconciler.desired;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The incremental combination equals a full {@link DesiredStateReader#combine} of the same files
 * after every edit of any sequence: states, errors (the same messages, in the same order) and
 * warnings, through valid trees, duplicate names across and within files, invalid files, ignored
 * kinds and deleted files.
 */
class CombinedTreeProperties {
  private static final DesiredStateReader READER = new DesiredStateReader();
  private static final List<String> PATHS =
      List.of("apps/a.yaml", "apps/b.yaml", "c.yml", "d/e.yaml");
  private static final List<String> CONTENTS =
      List.of(
          app("web", "1"),
          app("web", "2"),
          app("db", "15"),
          app("api", "3"),
          app("web", "1") + "---\n" + app("db", "16"),
          app("api", "3") + "---\n" + app("api", "4"), // a duplicate within one file
          "app: broken\nimage: busybox\nversion: \"1\"\n", // no placement: an error
          "kind: Policy\nname: p\n", // another kind: a warning
          "",
          "app: [\n"); // invalid YAML

  private static String app(String name, String version) {
    return "app: " + name + "\nimage: busybox\nversion: \"" + version + "\"\nhosts: [h]\n";
  }

  /** One edit: put CONTENTS[content] at PATHS[path], or delete PATHS[path] when content is -1. */
  record Edit(int path, int content) {}

  @Property(tries = 300)
  void incrementalCombineEqualsAFullCombine(@ForAll("edits") List<Edit> edits) {
    CombinedTree tree = new CombinedTree();
    Map<String, FileResult> files = new TreeMap<>();
    for (Edit edit : edits) {
      String path = PATHS.get(edit.path());
      if (edit.content() < 0) {
        tree.remove(path);
        files.remove(path);
      } else {
        FileResult file =
            READER.readFile(path, CONTENTS.get(edit.content()).getBytes(StandardCharsets.UTF_8));
        tree.put(file);
        files.put(path, file);
      }
      ReadResult full = DesiredStateReader.combine(files.values());
      ReadResult incremental = tree.result();
      assertEquals(full.state(), incremental.state(), "state after " + edit);
      assertEquals(full.errors(), incremental.errors(), "errors after " + edit);
      assertEquals(full.warnings(), incremental.warnings(), "warnings after " + edit);
      assertEquals(files.size(), tree.size());
    }
    tree.retainOnly(java.util.Set.of(PATHS.get(0)));
    files.keySet().retainAll(java.util.Set.of(PATHS.get(0)));
    assertEquals(DesiredStateReader.combine(files.values()).errors(), tree.result().errors());
    assertEquals(DesiredStateReader.combine(files.values()).state(), tree.result().state());
  }

  @Provide
  Arbitrary<List<Edit>> edits() {
    return Combinators.combine(
            Arbitraries.integers().between(0, PATHS.size() - 1),
            Arbitraries.integers().between(-1, CONTENTS.size() - 1))
        .as(Edit::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(30);
  }
}
