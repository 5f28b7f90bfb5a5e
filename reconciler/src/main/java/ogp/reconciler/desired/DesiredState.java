package ogp.reconciler.desired;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A whole, valid desired state: every app by name, sorted by name. Immutable. */
public record DesiredState(Map<String, App> apps) {
  public static final DesiredState EMPTY = new DesiredState(Map.of());

  public DesiredState {
    apps = Collections.unmodifiableMap(new TreeMap<>(apps));
  }

  public static DesiredState of(Collection<App> apps) {
    Map<String, App> byName = new TreeMap<>();
    for (App app : apps) byName.put(app.name(), app);
    return new DesiredState(byName);
  }

  public Optional<App> app(String name) {
    return Optional.ofNullable(apps.get(name));
  }
}
