package ogp.reconciler.desired;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The field table of {@link App}: one constant per record component, in the record's order, each
 * with the YAML key it is read from and what it shapes. The diff ({@link DesiredStateDiff}) takes
 * its compared fields from here, and guard tests hold the table to the record (a new component
 * without a constant fails) and to the container spec (a field said to shape containers must change
 * the spec hash, and no other may).
 *
 * <p>Adding a field to the app YAML: the component on {@link App}, its constant here, its reading
 * in {@link AppDocumentReader}, and — when it shapes containers — its mapping in the plan's {@code
 * AssignmentBuilder}, the protocol's {@code ContainerSpec} and the agent's Docker configuration;
 * the guard tests name whichever is missing (see {@code docs/architecture.md}).
 */
public enum AppField {
  NAME("app", App::name, Shapes.IDENTITY),
  IMAGE("image", App::image, Shapes.CONTAINER),
  VERSION("version", App::version, Shapes.VERSION),
  STATE("state", App::state, Shapes.RUN_STATE),
  PLACEMENT("hosts|selector", App::placement, Shapes.TARGETS),
  INSTANCES("instances", App::instances, Shapes.CONTAINER_COUNT),
  COMMAND("command", App::command, Shapes.CONTAINER),
  ENTRYPOINT("entrypoint", App::entrypoint, Shapes.CONTAINER),
  ENV("env", App::env, Shapes.CONTAINER),
  PORTS("ports", App::ports, Shapes.CONTAINER),
  VOLUMES("volumes", App::volumes, Shapes.CONTAINER),
  RESTART("restart", App::restart, Shapes.CONTAINER),
  HEALTH("health", App::health, Shapes.CONTAINER),
  UPDATE("update", App::update, Shapes.ROLLOUT),
  SOURCE("", App::source, Shapes.NOTHING);

  /** What a field's value decides; this is what the diff and the guard tests read. */
  public enum Shapes {
    /** Which app it is: a different value is another app. */
    IDENTITY,
    /** Which hosts (targets) get the app; compared as targets, not as a field. */
    TARGETS,
    /** The image tag: part of every container spec, shown by the diff as "from -> to". */
    VERSION,
    /** Part of every container spec and of its spec hash: a change replaces the containers. */
    CONTAINER,
    /**
     * Whether the containers run; in the spec but not in its hash (stopping keeps the container).
     */
    RUN_STATE,
    /** How many containers a host runs. */
    CONTAINER_COUNT,
    /** How a change rolls out across hosts; in no container spec. */
    ROLLOUT,
    /** Nothing the fleet sees: where the document is, for messages and edits. */
    NOTHING
  }

  private final String yamlKey;
  private final Function<App, Object> value;
  private final Shapes shapes;

  AppField(String yamlKey, Function<App, Object> value, Shapes shapes) {
    this.yamlKey = yamlKey;
    this.value = value;
    this.shapes = shapes;
  }

  /** The record component's name, e.g. {@code entrypoint}; the diff names fields by it. */
  public String componentName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The YAML key the field is read from ({@code hosts|selector} for the placement). */
  public String yamlKey() {
    return yamlKey;
  }

  public Shapes shapes() {
    return shapes;
  }

  /** This field's value in {@code app}. */
  public Object of(App app) {
    return value.apply(app);
  }

  /**
   * The fields a diff names when they differ for a target, in SPEC §2 order: everything that shapes
   * a target's containers or rollout, except the version (shown on its own) and the placement
   * (which decides the targets themselves).
   */
  public static List<AppField> comparedByDiff() {
    return COMPARED_BY_DIFF;
  }

  private static final List<AppField> COMPARED_BY_DIFF =
      Arrays.stream(values())
          .filter(
              f ->
                  switch (f.shapes) {
                    case CONTAINER, RUN_STATE, CONTAINER_COUNT, ROLLOUT -> true;
                    case IDENTITY, TARGETS, VERSION, NOTHING -> false;
                  })
          .toList();
}
