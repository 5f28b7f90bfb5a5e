package ogp.reconciler.desired;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A whole, valid desired state: every app by name, sorted by name, and the revision's {@link
 * Policy} ({@link Policy#DEFAULT} without an {@code ogp.yaml}). Immutable.
 */
public record DesiredState(Map<String, App> apps, Policy policy) {
  public static final DesiredState EMPTY = new DesiredState(Map.of());

  public DesiredState {
    apps = Collections.unmodifiableMap(new TreeMap<>(apps));
    java.util.Objects.requireNonNull(policy, "policy");
  }

  /** The apps with the default policy. */
  public DesiredState(Map<String, App> apps) {
    this(apps, Policy.DEFAULT);
  }

  /** The same apps under {@code policy}. */
  public DesiredState withPolicy(Policy policy) {
    return new DesiredState(apps, policy);
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
