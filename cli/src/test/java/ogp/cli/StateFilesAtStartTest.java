package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state files a server reads at start: one that is corrupt stops the start with a sentence
 * naming it, what is wrong and how to recover (a server that started would refuse every token);
 * temporary files an interrupted write left are removed.
 */
class StateFilesAtStartTest {
  @TempDir Path tmp;

  @Test
  void aServerWithACorruptTokenStoreExitsWithOneSentenceSayingHowToRecover() throws Exception {
    Path dataDir = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(dataDir.resolve("tokens.json"), "{\"format\": \"ogp-tokens/v1\", \"tok");
    try (JavaProcess server =
        JavaProcess.ogp(
            tmp.resolve("server.log"),
            "server",
            "--repo",
            LocalServers.oneAppRepo(tmp).url(),
            "--data-dir",
            dataDir.toString(),
            "--bind",
            "127.0.0.1",
            "--http-port",
            "0",
            "--agent-port",
            "0")) {
      OptionalInt exit = server.exitWithin(Duration.ofSeconds(60));
      assertEquals(OptionalInt.of(1), exit, "the server refused to start: " + server.output());
      String out = server.output();
      assertTrue(
          out.contains("the token store " + dataDir.resolve("tokens.json") + " is not valid")
              && out.contains("line 1")
              && out.contains("restore it from a backup, or move it aside"),
          out);
      assertFalse(out.contains("\tat "), "no stack trace: " + out);
    }
  }

  @Test
  void aCorruptUsersFileStopsTheStartNamingTheFile() throws Exception {
    Path dataDir = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(dataDir.resolve("users.yaml"), "users: [ {name: alice\n");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new ServerProcess(LocalServers.settings(LocalServers.oneAppRepo(tmp), dataDir))
                    .close(),
            "a server with a broken users.yaml does not start");
    assertTrue(
        e.getMessage().contains("the portal users file " + dataDir.resolve("users.yaml"))
            && e.getMessage().contains("move it aside"),
        e.getMessage());
  }

  @Test
  void anEmptyWebhookSecretStopsTheStartNamingTheFile() throws Exception {
    Path dataDir = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(dataDir.resolve("webhook-secret"), "\n");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new ServerProcess(LocalServers.settings(LocalServers.oneAppRepo(tmp), dataDir))
                    .close());
    assertTrue(
        e.getMessage().startsWith(dataDir.resolve("webhook-secret") + " is empty: put the secret"),
        e.getMessage());
  }

  @Test
  void temporaryFilesAnInterruptedWriteLeftAreRemovedAtStart() throws Exception {
    Path dataDir = Files.createDirectories(tmp.resolve("data"));
    Path stale = Files.writeString(dataDir.resolve(".tokens.json.4711.ogp-tmp"), "{\"form");
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(3_600)));
    try (ServerProcess server =
        new ServerProcess(LocalServers.settings(LocalServers.oneAppRepo(tmp), dataDir))) {
      assertFalse(Files.exists(stale), "the leftover of a crashed write is gone");
      assertTrue(Files.exists(dataDir.resolve("tokens.json")));
    }
  }
}
