package ogp.reconciler.plan;

/**
 * Health of a container, a host's share of an app, or an app, in Argo CD's order: the health of a
 * whole is the worst of its parts (declaration order is that order, best first).
 */
public enum HealthStatus {
  Healthy,
  Progressing,
  Missing,
  Degraded,
  Unknown;

  static HealthStatus worst(HealthStatus a, HealthStatus b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
