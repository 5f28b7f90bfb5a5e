package ogp.reconciler.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.StatusReport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReportChangesTest {
  /** A report of web#0 from "id/state/spec/version/error" ("-" for no container at all). */
  private static StatusReport report(String container) {
    StatusReport.Builder r = StatusReport.newBuilder().setRevision("r1");
    if (container.equals("-")) return r.build();
    String[] f = container.split("/", -1);
    return r.addContainers(
            ContainerStatus.newBuilder()
                .setApp("web")
                .setInstance(0)
                .setContainerId(f[0])
                .setState(f[1])
                .setSpecHash(f[2])
                .setVersion(f[3])
                .setLastError(f[4])
                .setRevision("r1"))
        .build();
  }

  @ParameterizedTest(name = "{0}  ->  {1}  gives {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "-                       | c1/running/s1/1/            | ContainerStarted",
        "-                       | /pending/s1/1/              | ''",
        "/pending/s1/1/          | c1/running/s1/1/            | ContainerStarted",
        "c1/created/s1/1/        | c1/running/s1/1/            | ContainerStarted",
        "c1/running/s1/1/        | c1/running/s1/1/            | ''",
        "c1/running/s1/1/        | c2/running/s2/2/            | ContainerReplaced",
        "c1/running/s1/1/        | c2/running/s1/1/            | DriftRepaired",
        "c1/exited/s1/1/         | c1/running/s1/1/            | DriftRepaired",
        "c1/running/s1/1/        | c1/exited/s1/1/             | ContainerFailed",
        "c1/running/s1/1/        | -                           | ContainerRemoved",
        "/pending/s1/1/          | -                           | ''",
        "c1/running/s1/1/        | c1/running/s2/2/pull x: denied | PullFailed",
        "c1/running/s1/1/        | /failed/s1/1/create: port in use | ContainerFailed",
        "c1/running/s1/1/pull x: denied | c1/running/s1/1/pull x: denied | ''",
      })
  void containerEventsFollowFromTwoReports(String before, String after, String reasons) {
    List<String> got =
        ReportChanges.between("h1", report(before.strip()), report(after.strip()), Instant.EPOCH)
            .stream()
            .map(e -> e.reason().label())
            .toList();
    assertEquals(reasons.isBlank() ? List.of() : List.of(reasons.split(" ")), got);
  }
}
