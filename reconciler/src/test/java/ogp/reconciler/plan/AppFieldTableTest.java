package ogp.reconciler.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import ogp.protocol.v1.ContainerSpec;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.AppField;
import ogp.reconciler.desired.AppState;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.DesiredStateDiff;
import ogp.reconciler.desired.DesiredStateDiff.Change;
import ogp.reconciler.desired.HealthCheck;
import ogp.reconciler.desired.Placement;
import ogp.reconciler.desired.PortMapping;
import ogp.reconciler.desired.RestartPolicy;
import ogp.reconciler.desired.SourcePosition;
import ogp.reconciler.desired.UpdatePolicy;
import ogp.reconciler.desired.VolumeMount;
import org.junit.jupiter.api.Test;

/**
 * Guards the field table of {@link App}: every record component has its {@link AppField}, and what
 * the table says a field shapes is what the diff and the container spec (with its hash) do. A field
 * added to {@code App} but forgotten in the table, the diff or {@link AssignmentBuilder} fails here
 * instead of silently printing "no changes" or leaving running containers as they were.
 */
class AppFieldTableTest {
  private static final App BASE = TestApps.onHosts("web", "41", "h1");

  /**
   * One other value per field; a new field without one fails {@link
   * #everyFieldHasAnotherValueHere}.
   */
  private static final Map<AppField, Object> OTHER_VALUE = otherValues();

  @Test
  void everyComponentOfAppHasItsFieldInTheTableInRecordOrder() {
    List<String> components =
        Arrays.stream(App.class.getRecordComponents()).map(RecordComponent::getName).toList();
    List<String> table = Arrays.stream(AppField.values()).map(AppField::componentName).toList();
    assertEquals(
        components, table, "App's components and AppField's constants must match one to one");
  }

  @Test
  void eachFieldReadsItsOwnComponent() throws ReflectiveOperationException {
    App app = BASE;
    for (AppField field : AppField.values()) {
      Object viaRecord = App.class.getRecordComponents()[field.ordinal()].getAccessor().invoke(app);
      assertEquals(viaRecord, field.of(app), field.name());
    }
  }

  @Test
  void everyFieldHasAnotherValueHere() {
    assertEquals(
        Set.of(AppField.values()),
        OTHER_VALUE.keySet(),
        "give each new AppField another value in this test, so the checks below cover it");
  }

  @Test
  void aFieldTheDiffComparesIsNamedWhenOnlyItChanges() {
    for (AppField field : AppField.comparedByDiff()) {
      List<Change> changes = diff(BASE, changed(BASE, field));
      assertEquals(1, changes.size(), field + ": " + changes);
      assertEquals(Change.Kind.CHANGED, changes.get(0).kind(), field + ": " + changes);
      assertEquals(field.componentName(), changes.get(0).detail(), field + ": " + changes);
    }
  }

  @Test
  void aFieldTheDiffDoesNotCompareShowsAsWhatItShapes() {
    assertEquals("41 -> 42", versions(diff(BASE, changed(BASE, AppField.VERSION))));
    assertEquals(
        Set.of(Change.Kind.ADDED, Change.Kind.REMOVED),
        kinds(diff(BASE, changed(BASE, AppField.NAME))));
    assertEquals(
        Set.of(Change.Kind.ADDED, Change.Kind.REMOVED),
        kinds(diff(BASE, changed(BASE, AppField.PLACEMENT))));
    assertEquals(List.of(), diff(BASE, changed(BASE, AppField.SOURCE)));
  }

  @Test
  void theSpecHashChangesExactlyForTheFieldsThatShapeContainers() {
    List<ContainerSpec> before = specs(BASE);
    for (AppField field : AppField.values()) {
      List<ContainerSpec> after = specs(changed(BASE, field));
      Set<String> hashesBefore = hashes(before);
      Set<String> hashesAfter = hashes(after);
      switch (field.shapes()) {
        case IDENTITY, VERSION, CONTAINER ->
            assertNotEquals(
                hashesBefore,
                hashesAfter,
                field
                    + " shapes containers, so a change must give new containers (map it in AssignmentBuilder)");
        case RUN_STATE -> {
          assertEquals(hashesBefore, hashesAfter, field + " keeps the containers");
          assertNotEquals(before, after, field + " must reach the spec");
        }
        case CONTAINER_COUNT -> {
          assertTrue(
              hashesAfter.containsAll(hashesBefore), field + " keeps each existing container");
          assertNotEquals(
              before.size(), after.size(), field + " must change the number of containers");
        }
        case TARGETS, ROLLOUT, NOTHING ->
            assertEquals(before, after, field + " must not reach the container spec");
      }
    }
  }

  private static App changed(App app, AppField field) {
    RecordComponent[] components = App.class.getRecordComponents();
    Object[] values = new Object[components.length];
    try {
      for (int i = 0; i < components.length; i++)
        values[i] = components[i].getAccessor().invoke(app);
      values[field.ordinal()] = OTHER_VALUE.get(field);
      Class<?>[] types =
          Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
      App result = App.class.getDeclaredConstructor(types).newInstance(values);
      assertNotEquals(field.of(app), field.of(result), field + ": the other value must differ");
      return result;
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static Map<AppField, Object> otherValues() {
    Map<AppField, Object> values = new EnumMap<>(AppField.class);
    values.put(AppField.NAME, "api");
    values.put(AppField.IMAGE, "127.0.0.1:5000/demo/web");
    values.put(AppField.VERSION, "42");
    values.put(AppField.STATE, AppState.STOPPED);
    values.put(AppField.PLACEMENT, new Placement.Hosts(List.of("h2")));
    values.put(AppField.INSTANCES, 2);
    values.put(AppField.COMMAND, List.of("sleep", "1000"));
    values.put(AppField.ENTRYPOINT, List.of("/bin/sh", "-c"));
    values.put(AppField.ENV, Map.of("GREETING", "hello"));
    values.put(AppField.PORTS, List.of(new PortMapping(8081, 8080, "tcp")));
    values.put(AppField.VOLUMES, List.of(new VolumeMount("/srv/web", "/data", true)));
    values.put(AppField.RESTART, RestartPolicy.ALWAYS);
    values.put(
        AppField.HEALTH,
        Optional.of(
            new HealthCheck(
                new HealthCheck.Tcp(8080),
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                3,
                Duration.ZERO)));
    values.put(AppField.UPDATE, new UpdatePolicy(1, Duration.ofSeconds(60), true));
    values.put(AppField.SOURCE, new SourcePosition("apps/other.yaml", 7, 1));
    return values;
  }

  private static List<Change> diff(App from, App to) {
    return DesiredStateDiff.between(DesiredState.of(List.of(from)), DesiredState.of(List.of(to)));
  }

  private static Set<Change.Kind> kinds(List<Change> changes) {
    return changes.stream().map(Change::kind).collect(Collectors.toSet());
  }

  private static String versions(List<Change> changes) {
    assertEquals(1, changes.size(), changes.toString());
    assertTrue(changes.get(0).detail().isEmpty(), changes.toString());
    return changes.get(0).fromVersion() + " -> " + changes.get(0).toVersion();
  }

  /** The specs of the app's containers on its first host, at a fixed revision. */
  private static List<ContainerSpec> specs(App app) {
    String host = ((Placement.Hosts) BASE.placement()).hostIds().get(0);
    FleetPlan plan = FleetPlan.EMPTY.next(DesiredState.of(List.of(app)), a -> "r1");
    List<ContainerSpec> specs = plan.containersFor(host, Map.of());
    return specs.isEmpty() ? plan.containersFor("h2", Map.of()) : specs;
  }

  private static Set<String> hashes(List<ContainerSpec> specs) {
    return specs.stream()
        .map(ContainerSpec::getSpecHash)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
