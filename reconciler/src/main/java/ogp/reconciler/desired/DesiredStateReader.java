package ogp.reconciler.desired;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads and validates a desired-state tree of format {@code ogp/v1} (SPEC §2).
 *
 * <p>Policy: the file {@code ogp.yaml} at the desired-state root is the policy file ({@link
 * PolicyReader}, {@code kind: Policy}); in every other file each document is one app; a file whose
 * first document declares a {@code kind} other than {@code App} is reserved for later kinds and
 * ignored with a warning; empty documents are skipped. Bad content never throws: every problem
 * becomes a {@link ValidationError} at a 1-based {@code file:line:col}, and all problems of a tree
 * are reported, not only the first. A tree with any error has no {@link DesiredState}, so it is
 * never applied. YAML is read safely and within limits (see {@link YamlDocuments}).
 */
public final class DesiredStateReader {
  private static final Comparator<ValidationError> BY_POSITION =
      Comparator.comparing((ValidationError e) -> e.position().file())
          .thenComparingInt(e -> e.position().line())
          .thenComparingInt(e -> e.position().column());

  private final YamlDocuments yaml;
  private final String policyFile;

  /**
   * A reader of a tree whose desired-state root is the repository root (or the directory {@link
   * #readTree} reads), with the default limits: 1 MiB per file, 50 aliases to collections, depth
   * 64.
   */
  public DesiredStateReader() {
    this("");
  }

  /**
   * A reader of the desired-state directory {@code root} of a repository ({@code ""} = the root),
   * whose policy file is {@code root/ogp.yaml}.
   */
  public DesiredStateReader(String root) {
    this(BoundedYaml.DEFAULT, root);
  }

  DesiredStateReader(BoundedYaml yaml) {
    this(yaml, "");
  }

  private DesiredStateReader(BoundedYaml yaml, String root) {
    this.yaml = new YamlDocuments(yaml);
    this.policyFile = DesiredStateFiles.policyFile(root);
  }

  /**
   * Parses one file. Duplicate app names, also within this file, are found by {@link #combine}.
   *
   * @param path the file relative to the repository root, as shown in messages
   */
  public FileResult readFile(String path, byte[] content) {
    Diagnostics diagnostics = new Diagnostics(path);
    List<Node> documents =
        yaml.read(content, diagnostics).stream().filter(document -> !isEmpty(document)).toList();
    if (path.equals(policyFile)) {
      Optional<Policy> policy =
          diagnostics.errorCount() > 0
              ? Optional.empty()
              : new PolicyReader(diagnostics).read(documents);
      List<ValidationError> errors = new ArrayList<>(diagnostics.errors());
      errors.sort(BY_POSITION);
      return new FileResult(path, List.of(), errors, diagnostics.warnings(), policy);
    }
    List<App> apps = new ArrayList<>();
    Optional<ScalarNode> otherKind =
        documents.isEmpty() ? Optional.empty() : otherKind(documents.get(0));
    if (otherKind.isPresent() && otherKind.get().getValue().equals("Policy")) {
      diagnostics.warning(
          diagnostics.position(otherKind.get())
              + ": kind \"Policy\" is read only from "
              + policyFile
              + " (the desired-state root); file ignored");
    } else if (otherKind.isPresent()) {
      diagnostics.warning(
          diagnostics.position(otherKind.get())
              + ": kind "
              + NodeValues.quote(otherKind.get().getValue())
              + " is not App; file ignored (reserved for later kinds)");
    } else {
      AppDocumentReader reader = new AppDocumentReader(diagnostics);
      for (Node document : documents) {
        if (document instanceof MappingNode mapping) {
          reader.read(mapping).ifPresent(apps::add);
        } else {
          diagnostics.error(
              document,
              "(document)",
              "expected a mapping (one app per document),"
                  + " found "
                  + NodeValues.describe(document));
        }
      }
    }
    List<ValidationError> errors = new ArrayList<>(diagnostics.errors());
    errors.sort(BY_POSITION);
    return new FileResult(path, apps, errors, diagnostics.warnings());
  }

  /**
   * Combines per-file results into one tree result, adding the whole-tree check: an app name
   * defined twice is an error at the later definition (files in path order), naming the first.
   */
  public static ReadResult combine(Collection<FileResult> files) {
    List<FileResult> sorted =
        files.stream().sorted(Comparator.comparing(FileResult::path)).toList();
    List<ValidationError> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Map<String, App> byName = new HashMap<>();
    Policy policy = Policy.DEFAULT;
    for (FileResult file : sorted) {
      errors.addAll(file.errors());
      warnings.addAll(file.warnings());
      if (file.policy().isPresent()) policy = file.policy().get();
      for (App app : file.apps()) {
        App first = byName.putIfAbsent(app.name(), app);
        if (first != null) {
          errors.add(
              new ValidationError(
                  app.source(),
                  "app: "
                      + NodeValues.quote(app.name())
                      + " is already defined at "
                      + first.source().file()
                      + ":"
                      + first.source().line()
                      + " (app names must be unique in the repository)"));
        }
      }
    }
    errors.addAll(tooManyAppsPerHost(sorted));
    errors.sort(BY_POSITION);
    if (!errors.isEmpty()) return new ReadResult(null, errors, warnings);
    return new ReadResult(DesiredState.of(byName.values()).withPolicy(policy), errors, warnings);
  }

  /**
   * One error per host named in the {@code hosts:} lists of more than {@link
   * DesiredStateLimits#MAX_APPS_PER_HOST} apps, at the first app over the limit (files in path
   * order). Selector placement depends on the agents' labels and is checked when planning.
   */
  private static List<ValidationError> tooManyAppsPerHost(List<FileResult> sorted) {
    Map<String, Integer> appsOn = new HashMap<>();
    List<ValidationError> errors = new ArrayList<>();
    for (FileResult file : sorted) {
      for (App app : file.apps()) {
        if (!(app.placement() instanceof Placement.Hosts hosts)) continue;
        for (String host : hosts.hostIds()) {
          if (appsOn.merge(host, 1, Integer::sum) == DesiredStateLimits.MAX_APPS_PER_HOST + 1) {
            errors.add(
                new ValidationError(
                    app.source(),
                    "hosts: host "
                        + NodeValues.quote(host)
                        + " is placed on by more than "
                        + DesiredStateLimits.MAX_APPS_PER_HOST
                        + " apps (at most "
                        + DesiredStateLimits.MAX_APPS_PER_HOST
                        + " apps per host; spread them over more hosts)"));
          }
        }
      }
    }
    return errors;
  }

  /**
   * Reads every desired-state file below {@code dir} ({@link DesiredStateFiles}: {@code *.yaml} and
   * {@code *.yml}, not in a dot-directory, not a dotfile), in sorted order. Messages name files
   * relative to {@code dir}, separated by '/'.
   */
  public ReadResult readTree(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(file -> DesiredStateFiles.isDesiredState(relativeName(dir, file)))
              .sorted(Comparator.comparing(file -> relativeName(dir, file)))
              .toList();
    }
    List<FileResult> results = new ArrayList<>();
    for (Path file : files) {
      results.add(readFile(relativeName(dir, file), Files.readAllBytes(file)));
    }
    return combine(results);
  }

  private static String relativeName(Path dir, Path file) {
    List<String> parts = new ArrayList<>();
    dir.relativize(file).forEach(part -> parts.add(part.toString()));
    return String.join("/", parts);
  }

  /** An empty document ({@code ---} with nothing, or only comments) composes to a null scalar. */
  private static boolean isEmpty(Node document) {
    return document instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
  }

  /** The value node of a top-level {@code kind} other than {@code App}, if the document has one. */
  private static Optional<ScalarNode> otherKind(Node document) {
    if (!(document instanceof MappingNode mapping)) return Optional.empty();
    for (NodeTuple tuple : mapping.getValue()) {
      if (tuple.getKeyNode() instanceof ScalarNode key
          && key.getValue().equals("kind")
          && tuple.getValueNode() instanceof ScalarNode value
          && !value.getValue().equals("App")) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }
}
