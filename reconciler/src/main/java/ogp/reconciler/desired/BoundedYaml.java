package ogp.reconciler.desired;

import java.util.function.Consumer;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * The one way the server turns YAML text into node trees: the desired-state reader and the change
 * path (its edits and reverts) both compose through here, so each refuses the same files. Policy:
 * nothing is ever constructed as a Java object (node trees only, YAML 1.2 core schema), and every
 * resource a file can make us spend is bounded by {@link Limits} — its size in code points, how
 * deeply collections nest and how many aliases it has (a {@link BoundedParser} under the composer:
 * snakeyaml's composer recurses per level, so a file of {@code [[[[...} would otherwise end in a
 * {@link StackOverflowError}). Duplicate keys are allowed here and found with their positions in
 * the tree; marks are kept for positions and byte-minimal edits. Over a limit, the composer throws
 * an ordinary {@link org.snakeyaml.engine.v2.exceptions.YamlEngineException} with the position.
 */
public final class BoundedYaml {
  /**
   * @param maxBytes the largest text read, in code points (files are also refused over this many
   *     bytes by their readers)
   * @param maxAliases aliases allowed per file
   * @param maxDepth how deeply collections may nest
   */
  public record Limits(int maxBytes, int maxAliases, int maxDepth) {
    /** 1 MiB ({@link DesiredStateFiles#MAX_FILE_BYTES}), 50 aliases, depth 64. */
    public static final Limits DEFAULT = new Limits(DesiredStateFiles.MAX_FILE_BYTES, 50, 64);
  }

  /** Composing with {@link Limits#DEFAULT}: what the server reads and edits with. */
  public static final BoundedYaml DEFAULT = new BoundedYaml(Limits.DEFAULT);

  private final Limits limits;

  /** Immutable, so built once and shared by every file (and every thread) this reads. */
  private final LoadSettings settings;

  public BoundedYaml(Limits limits) {
    this.limits = limits;
    this.settings =
        LoadSettings.builder()
            .setLabel("desired state")
            .setSchema(new CoreSchema())
            .setAllowDuplicateKeys(true) // detected in the node tree, with positions
            .setAllowRecursiveKeys(false)
            .setMaxAliasesForCollections(limits.maxAliases()) // a backstop to BoundedParser
            .setCodePointLimit(limits.maxBytes())
            .setUseMarks(true)
            .build();
  }

  public Limits limits() {
    return limits;
  }

  /** The documents of {@code text} as node trees, one per {@link Composer#next()}. */
  public Composer composer(String text) {
    return composer(text, event -> {});
  }

  /**
   * Like {@link #composer(String)}, telling {@code observer} of every parser event as the composer
   * takes it (e.g. where each document starts and ends, which the node tree does not keep).
   */
  public Composer composer(String text, Consumer<Event> observer) {
    Parser parser =
        new BoundedParser(
            new ParserImpl(settings, new StreamReader(settings, text)),
            limits.maxDepth(),
            limits.maxAliases(),
            observer);
    return new Composer(settings, parser);
  }
}
