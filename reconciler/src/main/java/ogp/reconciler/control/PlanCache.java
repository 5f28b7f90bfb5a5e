package ogp.reconciler.control;

import ogp.reconciler.plan.FleetPlan;

/**
 * The plan of the applied revision, built once and shared by every host and the read side: a new
 * revision marks all hosts dirty, and building each host's specs from scratch re-hashed every
 * container of every app once per host. Each plan is derived from the previous one, so only the
 * apps a commit changed are built again. Thread-safe (the worker and API reads).
 */
final class PlanCache {
  private record PlanOfRevision(AppliedRevision applied, FleetPlan plan) {}

  private PlanOfRevision plan; // guarded by this

  synchronized FleetPlan planFor(AppliedRevision applied) {
    PlanOfRevision cached = plan;
    if (cached == null || cached.applied() != applied) {
      FleetPlan base = cached == null ? FleetPlan.EMPTY : cached.plan();
      cached = new PlanOfRevision(applied, base.next(applied.state(), applied::revisionOf));
      plan = cached;
    }
    return cached.plan();
  }
}
