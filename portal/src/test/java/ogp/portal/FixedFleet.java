package ogp.portal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import ogp.portal.auth.PortalUser;
import ogp.portal.changes.ChangeRefusal;
import ogp.portal.changes.ChangeRequest;
import ogp.portal.changes.FleetChanges;
import ogp.portal.events.EventFeed;
import ogp.portal.events.PortalEvent;
import ogp.portal.fleet.FleetView;
import ogp.portal.fleet.RevisionConfirmation;
import ogp.reconciler.changes.ChangeResult;
import ogp.reconciler.changes.HistoryEntry;
import ogp.reconciler.control.AppliedRevision;
import ogp.reconciler.control.HeldRevision;
import ogp.reconciler.control.InvalidRevision;
import ogp.reconciler.desired.DesiredState;
import ogp.reconciler.desired.Policy;
import ogp.reconciler.desired.SourcePosition;
import ogp.reconciler.desired.ValidationError;
import ogp.reconciler.plan.AppHostStatus;
import ogp.reconciler.plan.AppStatus;
import ogp.reconciler.plan.ContainerView;
import ogp.reconciler.plan.HealthStatus;
import ogp.reconciler.plan.HostStatus;
import ogp.reconciler.plan.RemovalCheck;
import ogp.reconciler.plan.SyncStatus;
import ogp.reconciler.source.CommitInfo;

/**
 * A fleet whose state the test sets, and changes that record what they were asked: the portal's
 * pages, login, CSRF and live signal are tested over real HTTP without Git or Docker (those are
 * covered by the browser test in cli).
 */
final class FixedFleet implements FleetView, FleetChanges, EventFeed, RevisionConfirmation {
  static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

  volatile List<AppStatus> apps = List.of();
  volatile List<HostStatus> hosts = List.of();
  volatile AppliedRevision applied =
      new AppliedRevision(commit("a1b2c3d4e5f6", "Alice", "Deploy web 42"), DesiredState.EMPTY, T0);
  volatile InvalidRevision invalid;
  volatile HeldRevision held;
  final List<String> confirmed = new CopyOnWriteArrayList<>();
  final List<PortalEvent> events = new CopyOnWriteArrayList<>();
  final List<String> applied_ = new CopyOnWriteArrayList<>();
  final List<String> actors = new CopyOnWriteArrayList<>();
  volatile List<HistoryEntry> history = List.of();

  static CommitInfo commit(String sha, String author, String subject) {
    return new CommitInfo(sha, author, author.toLowerCase() + "@example.com", T0, subject);
  }

  static HistoryEntry entry(
      String sha, String author, String subject, String before, String after) {
    return new HistoryEntry(
        sha,
        author,
        author + "@example.com",
        T0,
        subject,
        "apps/web.yaml",
        Optional.ofNullable(before),
        Optional.ofNullable(after));
  }

  static AppStatus app(
      String name,
      String version,
      SyncStatus sync,
      HealthStatus health,
      String host,
      String running) {
    List<ContainerView> containers =
        running == null
            ? List.of()
            : List.of(
                new ContainerView(
                    0, running, "0123456789abcdef", "running", "healthy", 0, 0, "rev", ""));
    AppHostStatus h =
        new AppHostStatus(
            host,
            true,
            sync,
            health,
            version,
            1,
            containers,
            sync == SyncStatus.Synced
                ? List.of()
                : List.of("replace " + name + "#0 " + running + " -> " + version),
            "");
    return new AppStatus(
        name,
        "registry.local/" + name,
        version,
        "running",
        "hosts: " + host,
        sync,
        health,
        List.of(h));
  }

  static HostStatus host(String name) {
    return new HostStatus(
        name,
        "connected",
        Map.of("role", "web"),
        T0,
        "0.1.0",
        "27.5.1",
        "127.0.0.1:1234",
        "a1b2c3d4e5f6",
        List.of(),
        "",
        null);
  }

  void invalid(String author, String error) {
    invalid =
        new InvalidRevision(
            commit("ffff0000aaaa", author, "Break it"),
            List.of(new ValidationError(new SourcePosition("apps/web.yaml", 3, 10), error)),
            T0);
  }

  /** A held revision of every app's removal: 5 of 5 containers. */
  static final String HELD_SHA = "0123456789abcdef0123456789abcdef01234567";

  void holdARevision() {
    held =
        new HeldRevision(
            commit(HELD_SHA, "Mallory", "Move the apps"),
            DesiredState.EMPTY,
            new RemovalCheck(5, 5, Policy.MassRemoval.DEFAULT),
            T0);
  }

  // --- RevisionConfirmation
  @Override
  public boolean confirm(String revision, String by) {
    HeldRevision h = held;
    if (h == null || !h.revision().equals(revision)) return false;
    confirmed.add(revision + " by " + by);
    held = null;
    return true;
  }

  @Override
  public Optional<HeldRevision> held() {
    return Optional.ofNullable(held);
  }

  // --- FleetView
  @Override
  public List<AppStatus> apps() {
    return apps;
  }

  @Override
  public Optional<AppStatus> app(String name) {
    return apps.stream().filter(a -> a.app().equals(name)).findFirst();
  }

  @Override
  public List<HostStatus> hosts() {
    return hosts;
  }

  @Override
  public Optional<AppliedRevision> applied() {
    return Optional.ofNullable(applied);
  }

  @Override
  public Optional<InvalidRevision> invalid() {
    return Optional.ofNullable(invalid);
  }

  // --- FleetChanges
  @Override
  public String preview(ChangeRequest change, PortalUser actor) {
    if (change instanceof ChangeRequest.Rollback r && r.commit().startsWith("conflict")) {
      throw new ChangeRefusal(409, "later commits changed the same lines");
    }
    return "--- a/apps/web.yaml\n+++ b/apps/web.yaml\n@@ -1,3 +1,3 @@\n app: web\n-version: \"41\"\n+version: \"42\"\n";
  }

  @Override
  public ChangeResult apply(ChangeRequest change, PortalUser actor) {
    applied_.add(change.title());
    actors.add(actor.name() + " <" + actor.email() + ">");
    return new ChangeResult(
        Optional.of("c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"), change.title(), "pushed");
  }

  @Override
  public List<HistoryEntry> history(String app) {
    return new ArrayList<>(history);
  }

  // --- EventFeed
  @Override
  public List<PortalEvent> recent(int limit) {
    List<PortalEvent> newestFirst = new ArrayList<>(events);
    java.util.Collections.reverse(newestFirst);
    return newestFirst.subList(0, Math.min(limit, newestFirst.size()));
  }
}
