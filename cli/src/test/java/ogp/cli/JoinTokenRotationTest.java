package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import ogp.agent.link.AgentIdentity;
import ogp.agent.link.AgentLink;
import ogp.reconciler.source.GitRemote;
import ogp.reconciler.testing.TestRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Join-token rotation without downtime against the real server wiring: {@code ogp tokens rotate
 * join} makes the new token work at once, keeps the old one working until the grace ends, and an
 * agent whose {@code --join-token-file} gets the new token joins on its next attempt. Connected
 * agents are never cut off.
 */
class JoinTokenRotationTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path tmp;
  private TestRepo repo;
  private ServerProcess server;
  private final List<AgentLink> agents = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void start() throws Exception {
    logged.start();
    root.addAppender(logged);
    repo = TestRepo.create(tmp.resolve("repo"));
    repo.commit("Place web 1", Map.of("apps/web.yaml", TestApps.web("1")));
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                GitRemote.of(repo.url(), "main", ""),
                tmp.resolve("server"),
                Duration.ofHours(1),
                "127.0.0.1",
                0,
                0,
                Duration.ofSeconds(15),
                null));
  }

  @AfterEach
  void stop() {
    agents.forEach(AgentLink::close);
    if (server != null) server.close();
    if (repo != null) repo.close();
    root.detachAppender(logged);
  }

  @Test
  void rotatedJoinTokenAcceptsOldUntilGraceEndsAndAgentsFollowTheirTokenFile() throws Exception {
    String old = server.joinToken().reveal();
    Path agentFile = Files.writeString(tmp.resolve("agent-join-token"), old + "\n");
    AgentLink connected = agent("h1", agentFile);
    await("h1 connects with the first token").atMost(WAIT).until(connected::isConnected);

    OgpRun rotate =
        ogp(
            "tokens",
            "rotate",
            "join",
            "--grace",
            "5s",
            "--data-dir",
            tmp.resolve("server").toString());
    assertEquals(0, rotate.exit(), rotate.err());
    Instant graceEnd = Instant.now().plusSeconds(5);
    String fresh = rotate.out().strip();

    AgentLink withNew = agent("h2", Files.writeString(tmp.resolve("h2-token"), fresh + "\n"));
    await("an agent with the new token joins").atMost(WAIT).until(withNew::isConnected);
    AgentLink withOld = agent("h3", Files.writeString(tmp.resolve("h3-token"), old + "\n"));
    await("an agent with the old token joins during the grace")
        .atMost(WAIT)
        .until(() -> withOld.isConnected() || Instant.now().isAfter(graceEnd));
    assertTrue(withOld.isConnected(), "joined during the grace");

    await("the grace ends").atMost(WAIT).until(() -> Instant.now().isAfter(graceEnd));
    Path lateFile = Files.writeString(tmp.resolve("h4-token"), old + "\n");
    AgentLink late = agent("h4", lateFile);
    await("the old token is refused after the grace")
        .atMost(WAIT)
        .until(() -> log().contains("refused agent host id \"h4\""));
    assertFalse(late.isConnected());
    Files.writeString(lateFile, fresh + "\n"); // the operator hands the new token out
    await("h4 joins with the new token from its file").atMost(WAIT).until(late::isConnected);

    assertTrue(connected.isConnected(), "a connected agent is never cut off by a rotation");
    assertEquals(1, connected.sessions(), "h1 kept its one session");
    assertFalse(log().contains(old), "no token in the log");
    assertFalse(log().contains(fresh), "no token in the log");
  }

  private AgentLink agent(String hostId, Path tokenFile) {
    AgentLink link =
        AgentLink.builder(
                "127.0.0.1",
                server.agentPort(),
                new AgentIdentity(hostId, Map.of(), "test", "none"),
                a -> {})
            .joinTokenFile(tokenFile)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
            .start();
    agents.add(link);
    return link;
  }

  private String log() {
    synchronized (logged) { // the appender appends under its own lock
      return logged.list.stream()
          .map(ILoggingEvent::getFormattedMessage)
          .collect(Collectors.joining("\n"));
    }
  }
}
