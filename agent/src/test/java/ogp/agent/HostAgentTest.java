package ogp.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import ogp.agent.probe.HealthMonitor;
import ogp.protocol.v1.Assignment;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerSpec.RunState;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.StatusReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host agent's policy over an in-memory engine and a fake link: what it converges, when, and
 * what it reports. The worker is a {@link ManualScheduler}, so work runs only when a test says
 * {@code runDue()} or moves time on: nothing here waits or depends on timing.
 */
class HostAgentTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration RESYNC = Duration.ofSeconds(10);
  private static final Duration STATUS = Duration.ofSeconds(2);

  @TempDir Path dataDir;
  private final FakeRuntime runtime = new FakeRuntime();
  private ManualScheduler worker;
  private FakeLink link;
  private HostAgent agent;

  @AfterEach
  void closeAgent() {
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  void beforeAnyAssignmentTheAgentOnlyReportsWhatRunsAndRemovesNothing() {
    ContainerSpec web = spec("web", 0, "1", RunState.RUNNING);
    runtime.pull("reg/web:1");
    String leftOver = runtime.create(web); // by an earlier agent process
    runtime.start(leftOver);
    List<String> before = runtime.operations();

    startAgent();
    worker.runDue();
    worker.advance(RESYNC.multipliedBy(3));

    assertEquals(before, runtime.operations(), "nothing created, started, stopped or removed");
    assertEquals(Optional.empty(), agent.assignment());
    StatusReport report = onlyReport();
    assertEquals("", report.getRevision(), "no assignment yet");
    ContainerStatus adopted = only(report);
    assertEquals(leftOver, adopted.getContainerId());
    assertEquals("running", adopted.getState());
  }

  @Test
  void anAssignmentFromTheServerIsConvergedAsTheSpecsSayAndReportedOnce() {
    startAgent();
    worker.runDue();
    link.reports().forEach(r -> assertEquals(0, r.getContainersCount(), "empty host: " + r));
    int reportsBefore = link.reports().size();

    link.assign(
        assignment(
            "rev-1", spec("web", 0, "1", RunState.RUNNING), spec("web", 1, "1", RunState.STOPPED)));
    worker.runDue();

    assertEquals(
        List.of("pull reg/web:1", "create web/0 c1", "start c1", "create web/1 c2"),
        runtime.operations(),
        "the image pulled once, both created, only the running one started");
    assertEquals(reportsBefore + 1, link.reports().size(), "one report: " + link.reports());
    StatusReport report = link.lastReport();
    assertEquals("rev-1", report.getRevision());
    assertEquals(
        List.of("web/0 c1 running", "web/1 c2 created"),
        report.getContainersList().stream().map(HostAgentTest::describe).toList());
    assertEquals("rev-1", agent.assignment().orElseThrow().getRevision());
    assertEquals(
        "rev-1",
        new AssignmentStore(dataDir).load().orElseThrow().getRevision(),
        "kept on disk for a restart");
  }

  @Test
  void anUnchangedStateIsNotReportedAgainNorTouched() {
    startAgent();
    worker.runDue();
    link.assign(assignment("rev-1", spec("web", 0, "1", RunState.RUNNING)));
    worker.runDue();
    List<StatusReport> reports = link.reports();
    List<String> operations = runtime.operations();

    worker.advance(RESYNC.multipliedBy(3)); // three resyncs, fifteen status checks

    assertEquals(reports, link.reports(), "the identical report is not sent again");
    assertEquals(operations, runtime.operations(), "converging again changes nothing");
  }

  @Test
  void anAssignmentKeptOnDiskIsConvergedAfterARestartBeforeTheServerAnswers() {
    startAgent();
    worker.runDue();
    link.assign(assignment("rev-1", spec("web", 0, "1", RunState.RUNNING)));
    worker.runDue();
    FakeLink firstLink = link;
    agent.close();
    assertTrue(firstLink.closed());
    runtime.removeBehindTheAgentsBack("c1"); // gone while no agent ran

    startAgent(); // the same data dir; this link never gets an assignment
    worker.runDue();

    assertEquals("rev-1", agent.assignment().orElseThrow().getRevision());
    assertEquals(
        List.of("create web/0 c2", "start c2"),
        runtime.operations().subList(runtime.operations().size() - 2, runtime.operations().size()),
        "recreated from the kept assignment");
    StatusReport report = onlyReport();
    assertEquals("rev-1", report.getRevision());
    assertEquals("web/0 c2 running", describe(only(report)));
  }

  @Test
  void aRestartedAgentAdoptsWhatRunsAndRestartsNothing() {
    startAgent();
    worker.runDue();
    link.assign(assignment("rev-1", spec("web", 0, "1", RunState.RUNNING)));
    worker.runDue();
    agent.close();
    List<String> operations = runtime.operations();

    startAgent();
    worker.runDue();

    assertEquals(operations, runtime.operations());
    assertEquals("web/0 c1 running", describe(only(onlyReport())));
  }

  @Test
  void whenAssignmentsArriveWhileTheWorkerIsBusyOnlyTheNewestIsConverged() {
    startAgent();
    worker.runDue();
    int reportsBefore = link.reports().size();

    link.assign(assignment("rev-1", spec("web", 0, "1", RunState.RUNNING)));
    link.assign(assignment("rev-2", spec("web", 0, "2", RunState.RUNNING)));
    worker.runDue();

    assertEquals(
        List.of("pull reg/web:2", "create web/0 c1", "start c1"),
        runtime.operations(),
        "rev-1 never acted upon");
    assertEquals(reportsBefore + 1, link.reports().size(), "one converge, one report");
    assertEquals("rev-2", link.lastReport().getRevision());
    assertEquals("rev-2", new AssignmentStore(dataDir).load().orElseThrow().getRevision());
  }

  @Test
  void aResyncRepairsAContainerRemovedBehindTheAgentsBack() {
    startAgent();
    worker.runDue();
    link.assign(assignment("rev-1", spec("web", 0, "1", RunState.RUNNING)));
    worker.runDue();
    List<String> operations = runtime.operations();

    runtime.removeBehindTheAgentsBack("c1");
    worker.advance(STATUS);

    assertEquals(operations, runtime.operations(), "a status check only reports");
    assertEquals("web/0 - pending", describe(only(link.lastReport())));

    worker.advance(RESYNC);

    assertEquals(
        List.of("create web/0 c2", "start c2"),
        runtime.operations().subList(operations.size(), runtime.operations().size()));
    assertEquals("web/0 c2 running", describe(only(link.lastReport())));
    assertEquals("rev-1", link.lastReport().getRevision());
  }

  /** A new agent (and worker and link) over the test's engine and data dir, at {@link #T0}. */
  private void startAgent() {
    worker = new ManualScheduler(T0);
    agent =
        new HostAgent(
            runtime,
            new HealthMonitor(runtime, worker, worker.clock()),
            new AssignmentStore(dataDir),
            handler -> link = new FakeLink(handler),
            worker,
            RESYNC,
            STATUS);
  }

  private StatusReport onlyReport() {
    assertEquals(1, link.reports().size(), () -> "one report: " + link.reports());
    return link.reports().get(0);
  }

  private static ContainerStatus only(StatusReport report) {
    assertEquals(1, report.getContainersCount(), report::toString);
    return report.getContainers(0);
  }

  /** {@code app/instance containerId state}, with {@code -} for no container. */
  private static String describe(ContainerStatus status) {
    String id = status.getContainerId().isEmpty() ? "-" : status.getContainerId();
    return status.getApp() + "/" + status.getInstance() + " " + id + " " + status.getState();
  }

  private static ContainerSpec spec(String app, int instance, String version, RunState state) {
    return ContainerSpec.newBuilder()
        .setApp(app)
        .setInstance(instance)
        .setImage("reg/" + app)
        .setVersion(version)
        .setState(state)
        .build();
  }

  private static Assignment assignment(String revision, ContainerSpec... specs) {
    return Assignment.newBuilder().setRevision(revision).addAllContainers(List.of(specs)).build();
  }
}
