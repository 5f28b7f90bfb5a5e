package ogp.bench.scenario;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ogp.bench.repo.FleetShape;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.FileResult;
import ogp.reconciler.desired.ReadResult;

/**
 * The planner's input of row 8, shared by the scenario and the JMH benchmark: 20,000 apps, each
 * placed by host list on 10 of 20,000 hosts (10 containers per host), read and validated from the
 * generated YAML exactly as the server reads it.
 */
public final class PlanFixture {
  public static final FleetShape SHAPE = new FleetShape(20_000, 20_000, 20_000, 10, false);
  public static final String REVISION = "0123456789abcdef0123456789abcdef01234567";

  private PlanFixture() {}

  /** The YAML files of {@code shape} as the server would read them from Git. */
  public static List<FileResult> readFiles(FleetShape shape) {
    DesiredStateReader reader = new DesiredStateReader();
    List<FileResult> files = new ArrayList<>(shape.files());
    for (int f = 0; f < shape.files(); f++) {
      files.add(
          reader.readFile(shape.filePath(f), shape.fileYaml(f).getBytes(StandardCharsets.UTF_8)));
    }
    return files;
  }

  public static DesiredState state(FleetShape shape) {
    ReadResult result = DesiredStateReader.combine(readFiles(shape));
    if (!result.valid())
      throw new IllegalStateException(
          "generated state is invalid: " + result.errors().subList(0, 1));
    return result.state();
  }

  /** {@code state} with {@code app} at another version, everything else the same objects. */
  public static DesiredState withVersion(DesiredState state, App app, String version) {
    Map<String, App> apps = new java.util.TreeMap<>(state.apps());
    apps.put(app.name(), app.withVersion(version));
    return new DesiredState(apps);
  }

  /** Host ids in order; every host carries the fleet label, as the simulated agents do. */
  public static List<String> hostIds(FleetShape shape) {
    List<String> ids = new ArrayList<>(shape.hosts());
    for (int h = 0; h < shape.hosts(); h++) ids.add(FleetShape.hostId(h));
    return ids;
  }

  public static final Map<String, String> LABELS =
      Map.of(FleetShape.FLEET_LABEL, FleetShape.FLEET_VALUE);
}
