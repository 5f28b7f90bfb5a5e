package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import ogp.agent.HostAgent;
import ogp.agent.replicas.ServerAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --server a:7070,b:7070} of {@code ogp agent} and {@code ogp agent enroll}. */
class AgentServerListTest {
  private static final String PIN = "sha256:" + "0f".repeat(32);

  @TempDir Path dir;

  @ParameterizedTest(name = "[{0}] {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a:7070,,b:7070 | --server: 'a:7070,,b:7070' has an empty entry",
        "a:7070, | has an empty entry",
        "a:7070,b | --server: 'b' is not HOST:PORT",
        "a:7070,b:http | --server: 'b:http' is not HOST:PORT",
        "a:7070,b:7070,A:7070 | --server: 'A:7070' is given twice",
      })
  void aBadServerListIsBadUsageInOneSentenceForTheAgentAndItsEnrolment(
      String list, String expected) {
    Path data = dir.resolve("agent");
    for (List<String> args :
        List.of(
            List.of("agent", "--server", list, "--host-id", "h1", "--data-dir", data.toString()),
            List.of(
                "agent",
                "enroll",
                "--server",
                list,
                "--token",
                "t",
                "--ca-hash",
                PIN,
                "--host-id",
                "h1",
                "--data-dir",
                data.toString()))) {
      OgpRun run = ogp(args.toArray(String[]::new));
      assertEquals(2, run.exit(), args + ": " + run.err());
      assertTrue(run.err().contains(expected), run.err());
      assertEquals(1, run.err().strip().lines().count(), "one sentence: " + run.err());
      assertFalse(run.err().contains("Exception"), run.err());
      assertFalse(Files.exists(data), "nothing written");
    }
  }

  @Test
  void theAgentDialsEveryListedServerInOrderAndOneEntryIsAsBefore() throws Exception {
    AgentCommand agent = new AgentCommand();
    agent.server = "a.example:7070, B.example:7071";
    agent.hostId = "h1";
    agent.dataDir = dir.resolve("agent");
    agent.dockerHost = "unix:///var/run/docker.sock";
    HostAgent.Settings settings = agent.settings();
    assertEquals(
        List.of(new ServerAddress("a.example", 7070), new ServerAddress("B.example", 7071)),
        settings.servers());
    assertEquals("a.example", settings.serverHost());

    agent.server = "a.example:7070";
    assertEquals(List.of(new ServerAddress("a.example", 7070)), agent.settings().servers());
  }

  @Test
  void anUnreachableListFailsEnrolmentWithOneSentenceNamingEveryServer() {
    OgpRun run =
        ogp(
            "agent",
            "enroll",
            "--server",
            "127.0.0.1:1,127.0.0.1:2",
            "--token",
            "t",
            "--ca-hash",
            PIN,
            "--host-id",
            "a",
            "--data-dir",
            dir.resolve("agent").toString());
    assertEquals(1, run.exit(), run.err());
    assertTrue(run.err().contains("cannot enrol with any of 127.0.0.1:1,127.0.0.1:2"), run.err());
    assertTrue(run.err().contains("cannot connect to 127.0.0.1:2"), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
  }
}
