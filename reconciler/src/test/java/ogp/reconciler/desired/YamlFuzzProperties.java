package ogp.reconciler.desired;

import static ogp.reconciler.testing.Bytes.concat;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Fuzzes the desired-state reader with the valid and invalid fixtures under {@code desired/},
 * mutated; with YAML-shaped noise; with alias bombs and deep nesting. Whatever the bytes, {@link
 * DesiredStateReader#readFile} returns apps or errors (never throws, never a StackOverflowError),
 * answers well within a time bound, and every app it returns has a name that can only form a safe
 * container name {@code ogp-<app>-<n>}. Inputs that once failed are kept under {@code corpus/yaml}
 * and replayed by {@link HostileYamlTest}.
 */
class YamlFuzzProperties {
  /** Far above a normal parse (milliseconds); a super-linear blow-up would exceed it. */
  private static final long MAX_MILLIS = 2_000;

  static final Pattern SAFE_APP_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final List<byte[]> SEEDS = seeds();
  private static final String YAML_CHARS = "&*!|>-:?,[]{}#%@`'\"\\\n\t ~<=";

  private final DesiredStateReader reader = new DesiredStateReader();

  @Property(tries = 3000)
  void mutatedFixturesAlwaysGiveAppsOrErrors(@ForAll("mutatedFixtures") byte[] content) {
    read(content);
  }

  @Property(tries = 2000)
  void yamlShapedNoiseAlwaysGivesAppsOrErrors(@ForAll("noise") String content) {
    read(content.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 200)
  void aliasBombsAreRefusedQuickly(
      @ForAll @IntRange(min = 2, max = 12) int width,
      @ForAll @IntRange(min = 2, max = 12) int depth) {
    StringBuilder yaml = new StringBuilder("a0: &a0 [\"lol\"]\n");
    for (int level = 1; level <= depth; level++) {
      yaml.append('a').append(level).append(": &a").append(level).append(" [");
      for (int i = 0; i < width; i++)
        yaml.append(i == 0 ? "" : ", ").append("*a").append(level - 1);
      yaml.append("]\n");
    }
    yaml.append("app: bomb\nhosts: [h1]\nimage: x\nversion: \"1\"\nbang: *a")
        .append(depth)
        .append('\n');
    FileResult result = read(yaml.toString().getBytes(StandardCharsets.UTF_8));
    // Either refused for its aliases or, when small, read without expanding anything unbounded.
    assertTrue(width * depth <= 50 || !result.errors().isEmpty(), result.toString());
  }

  @Property(tries = 100)
  void deepNestingIsRefusedWithoutAStackOverflow(
      @ForAll @IntRange(min = 1, max = 20_000) int depth, @ForAll("openers") String opener) {
    String close = opener.equals("[") ? "]" : opener.equals("{") ? "}" : "";
    String yaml =
        "app: deep\nhosts: [h1]\nimage: x\nversion: \"1\"\nenv: "
            + opener.repeat(depth)
            + (opener.equals("{") ? "a: b" : "x")
            + close.repeat(depth)
            + "\n";
    read(yaml.getBytes(StandardCharsets.UTF_8));
  }

  private FileResult read(byte[] content) {
    long start = System.nanoTime();
    FileResult result;
    try {
      result = reader.readFile("apps/fuzz.yaml", content);
    } catch (StackOverflowError e) {
      throw new AssertionError("stack overflow on " + content.length + " bytes", e);
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertNotNull(result);
    assertTrue(millis < MAX_MILLIS, "took " + millis + " ms");
    for (App app : result.apps()) {
      assertTrue(
          SAFE_APP_NAME.matcher(app.name()).matches(), "unsafe app name accepted: " + app.name());
    }
    return result;
  }

  @Provide
  Arbitrary<String> openers() {
    return Arbitraries.of("[", "{", "- ", "a:\n  ");
  }

  @Provide
  Arbitrary<String> noise() {
    return Arbitraries.oneOf(
        Arbitraries.strings()
            .withChars(YAML_CHARS)
            .withCharRange('a', 'e')
            .withCharRange('0', '2')
            .ofMaxLength(400),
        Arbitraries.strings().all().ofMaxLength(200));
  }

  /** A fixture with bytes replaced, YAML syntax inserted, the tail cut, or spliced with another. */
  @Provide
  Arbitrary<byte[]> mutatedFixtures() {
    Arbitrary<byte[]> seed = Arbitraries.of(SEEDS);
    Arbitrary<byte[]> replaced =
        Combinators.combine(
                seed,
                Arbitraries.integers().between(0, 10_000).list().ofMaxSize(6),
                Arbitraries.bytes())
            .as(
                (s, positions, b) -> {
                  byte[] copy = s.clone();
                  for (int p : positions) if (copy.length > 0) copy[p % copy.length] = b;
                  return copy;
                });
    Arbitrary<byte[]> inserted =
        Combinators.combine(
                seed,
                Arbitraries.integers().between(0, 10_000),
                Arbitraries.strings().withChars(YAML_CHARS).ofMinLength(1).ofMaxLength(8))
            .as(
                (s, p, text) -> {
                  int at = s.length == 0 ? 0 : p % s.length;
                  return concat(
                      Arrays.copyOf(s, at),
                      text.getBytes(StandardCharsets.UTF_8),
                      Arrays.copyOfRange(s, at, s.length));
                });
    Arbitrary<byte[]> truncated =
        Combinators.combine(seed, Arbitraries.integers().between(0, 10_000))
            .as((s, p) -> Arrays.copyOf(s, s.length == 0 ? 0 : p % s.length));
    Arbitrary<byte[]> spliced =
        Combinators.combine(seed, seed, Arbitraries.integers().between(0, 10_000))
            .as(
                (a, b, p) ->
                    concat(
                        Arrays.copyOf(a, a.length == 0 ? 0 : p % a.length),
                        Arrays.copyOfRange(b, b.length == 0 ? 0 : p % b.length, b.length)));
    return Arbitraries.oneOf(replaced, inserted, truncated, spliced);
  }

  private static List<byte[]> seeds() {
    try (Stream<Path> files =
        Files.walk(Path.of(YamlFuzzProperties.class.getResource("/desired").toURI()))) {
      return files
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .map(
              p -> {
                try {
                  return Files.readAllBytes(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
