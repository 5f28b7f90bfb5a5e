package ogp.reconciler.desired;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy file ogp.yaml at the desired-state root: read strictly, like an app file. */
class PolicyReaderTest {
  private static final String APP = "app: web\nimage: busybox\nversion: \"1\"\nhosts: [h]\n";

  private static ReadResult tree(String root, String policyPath, String policy) {
    DesiredStateReader reader = new DesiredStateReader(root);
    String appPath = root.isEmpty() ? "web.yaml" : root + "/web.yaml";
    return DesiredStateReader.combine(
        List.of(
            reader.readFile(appPath, APP.getBytes(StandardCharsets.UTF_8)),
            reader.readFile(policyPath, policy.getBytes(StandardCharsets.UTF_8))));
  }

  private static ReadResult tree(String policy) {
    return tree("", "ogp.yaml", policy);
  }

  @Test
  void withoutThePolicyFileTheThresholdIsHalfTheFleet() {
    ReadResult result =
        DesiredStateReader.combine(
            List.of(
                new DesiredStateReader()
                    .readFile("web.yaml", APP.getBytes(StandardCharsets.UTF_8))));

    assertEquals(Policy.DEFAULT, result.state().policy());
    assertEquals("50%", result.state().policy().massRemoval().toString());
  }

  @Test
  void thresholdIsAShareOrOff() {
    assertEquals(
        Policy.MassRemoval.percent(20),
        tree("kind: Policy\nmassRemoval: {threshold: 20%}\n").state().policy().massRemoval());
    assertEquals(
        Policy.MassRemoval.OFF,
        tree("kind: Policy\nmassRemoval:\n  threshold: off\n").state().policy().massRemoval());
    assertEquals(Policy.DEFAULT, tree("kind: Policy\n").state().policy());
  }

  @Test
  void unknownKeysAndBadValuesAreErrorsWithTheirPosition() {
    assertEquals(
        List.of(
            "ogp.yaml:2:1: massremoval: unknown key (allowed: kind, massRemoval)",
            "ogp.yaml:3:1: windows: unknown key (allowed: kind, massRemoval)"),
        errors(tree("kind: Policy\nmassremoval: {threshold: 10%}\nwindows: []\n")));
    assertEquals(
        List.of(
            "ogp.yaml:2:26: massRemoval.threshold: \"150%\" is not valid (expected a share of the"
                + " fleet's containers such as 50% (0%-100%), or off)"),
        errors(tree("kind: Policy\nmassRemoval: {threshold: 150%}\n")));
    assertEquals(
        List.of("ogp.yaml:2:15: massRemoval.limit: unknown key (allowed: threshold)"),
        errors(tree("kind: Policy\nmassRemoval: {limit: 10%}\n")));
  }

  @Test
  void thePolicyFileMustSayKindPolicy() {
    assertEquals(
        List.of(
            "ogp.yaml:1:1: kind: missing (the file ogp.yaml at the desired-state root is the"
                + " policy file: kind: Policy)"),
        errors(tree("massRemoval: {threshold: 10%}\n")));
  }

  @Test
  void thePolicyFileIsAtTheDesiredStateRootOfTheRepository() {
    ReadResult underPath =
        tree("fleet", "fleet/ogp.yaml", "kind: Policy\nmassRemoval: {threshold: off}\n");
    assertEquals(Policy.MassRemoval.OFF, underPath.state().policy().massRemoval());

    ReadResult elsewhere =
        tree("", "team/ogp.yaml", "kind: Policy\nmassRemoval: {threshold: off}\n");
    assertTrue(elsewhere.valid());
    assertEquals(Policy.DEFAULT, elsewhere.state().policy());
    assertTrue(
        elsewhere.warnings().get(0).contains("kind \"Policy\" is read only from ogp.yaml"),
        elsewhere.warnings().toString());
  }

  @Test
  void validateReadsThePolicyFileOfATree(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("web.yaml"), APP);
    Files.writeString(dir.resolve("ogp.yaml"), "kind: Policy\nmassRemoval: {threshold: most}\n");

    ReadResult result = new DesiredStateReader().readTree(dir);

    assertFalse(result.valid());
    assertTrue(
        result.errors().get(0).toString().startsWith("ogp.yaml:2:26: massRemoval.threshold:"),
        result.errors().toString());
  }

  @Test
  void theCombinedTreeFollowsThePolicyFileAsItChanges() {
    DesiredStateReader reader = new DesiredStateReader();
    CombinedTree tree = new CombinedTree();
    tree.put(reader.readFile("web.yaml", APP.getBytes(StandardCharsets.UTF_8)));
    tree.put(
        reader.readFile(
            "ogp.yaml",
            "kind: Policy\nmassRemoval: {threshold: off}\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals(Policy.MassRemoval.OFF, tree.result().state().policy().massRemoval());

    tree.remove("ogp.yaml");

    assertEquals(Policy.DEFAULT, tree.result().state().policy());
  }

  private static List<String> errors(ReadResult result) {
    return result.errors().stream().map(Object::toString).toList();
  }
}
