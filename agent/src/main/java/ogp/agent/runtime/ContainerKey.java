package ogp.agent.runtime;

import java.util.Comparator;
import ogp.protocol.v1.ContainerSpec;

/**
 * Which desired container a Docker container stands for: one instance of one app on this host. At
 * most one container per key is kept; the key also gives the container its name.
 */
public record ContainerKey(String app, int instance) implements Comparable<ContainerKey> {
  private static final Comparator<ContainerKey> ORDER =
      Comparator.comparing(ContainerKey::app).thenComparingInt(ContainerKey::instance);

  public static ContainerKey of(ContainerSpec spec) {
    return new ContainerKey(spec.getApp(), spec.getInstance());
  }

  /** {@code ogp-<app>-<instance>}: stable, so an operator finds the container by name. */
  public String containerName() {
    return "ogp-" + app + "-" + instance;
  }

  @Override
  public int compareTo(ContainerKey other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return app + "/" + instance;
  }
}
