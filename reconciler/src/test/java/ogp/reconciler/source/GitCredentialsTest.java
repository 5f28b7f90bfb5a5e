package ogp.reconciler.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitCredentialsTest {
  @TempDir Path tmp;

  @Test
  void noVariablesMeansNoCredentials() {
    assertEquals(new GitCredentials.None(), GitCredentials.fromEnvironment(Map.of()));
  }

  @Test
  void usernameAndPasswordAreRead() {
    assertEquals(
        new GitCredentials.UsernamePassword("ci", "pw"),
        GitCredentials.fromEnvironment(Map.of("OGP_GIT_USERNAME", "ci", "OGP_GIT_PASSWORD", "pw")));
  }

  @Test
  void tokenFileIsReadWithoutItsTrailingNewlineAndAUsernameDefaults() throws Exception {
    Path file = Files.writeString(tmp.resolve("token"), "glpat-abc\n");

    assertEquals(
        new GitCredentials.UsernamePassword(GitCredentials.DEFAULT_TOKEN_USER, "glpat-abc"),
        GitCredentials.fromEnvironment(Map.of("OGP_GIT_PASSWORD_FILE", file.toString())));
  }

  @Test
  void sshKeyWithKnownHostsIsRead() {
    assertEquals(
        new GitCredentials.SshKey(Path.of("/keys/id"), Optional.of(Path.of("/keys/known"))),
        GitCredentials.fromEnvironment(
            Map.of("OGP_GIT_SSH_KEY", "/keys/id", "OGP_GIT_KNOWN_HOSTS", "/keys/known")));
  }

  @Test
  void contradictorySettingsAreRefused() {
    assertThrows(
        GitSourceException.class,
        () ->
            GitCredentials.fromEnvironment(
                Map.of("OGP_GIT_PASSWORD", "a", "OGP_GIT_PASSWORD_FILE", "/f")));
    assertThrows(
        GitSourceException.class,
        () ->
            GitCredentials.fromEnvironment(
                Map.of("OGP_GIT_PASSWORD", "a", "OGP_GIT_SSH_KEY", "/k")));
    assertThrows(
        GitSourceException.class,
        () -> GitCredentials.fromEnvironment(Map.of("OGP_GIT_USERNAME", "u")));
  }

  @Test
  void unreadablePasswordFileIsNamedInTheError() {
    GitSourceException error =
        assertThrows(
            GitSourceException.class,
            () ->
                GitCredentials.fromEnvironment(
                    Map.of("OGP_GIT_PASSWORD_FILE", tmp.resolve("missing").toString())));

    assertTrue(error.getMessage().contains(tmp.resolve("missing").toString()), error.getMessage());
  }

  @Test
  void passwordNeverAppearsInToString() {
    GitCredentials credentials = new GitCredentials.UsernamePassword("ci", "hunter2");
    GitRemote remote = new GitRemote("https://ci:hunter2@host/r.git", "main", "", credentials);

    assertFalse(credentials.toString().contains("hunter2"));
    assertFalse(remote.toString().contains("hunter2"), remote.toString());
  }
}
