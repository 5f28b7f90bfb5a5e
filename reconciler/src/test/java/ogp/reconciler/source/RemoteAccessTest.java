package ogp.reconciler.source;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.Optional;
import ogp.reconciler.testing.TestRepo;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Transport configuration only: no SSH server runs here, so SSH is not tested end to end. */
class RemoteAccessTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"ssh://git@127.0.0.1:2222/org/fleet.git", "git@127.0.0.1:org/fleet.git"})
  void sshUrlsGetTheKeyBasedSessionFactory(String url) throws Exception {
    GitCredentials key =
        new GitCredentials.SshKey(
            tmp.resolve("id_ed25519"), Optional.of(tmp.resolve("known_hosts")));
    try (TestRepo repo = TestRepo.create(tmp.resolve("r"));
        RemoteAccess access = new RemoteAccess(key, GitMirror.DEFAULT_TIMEOUT);
        Transport transport =
            access.configure(Transport.open(repo.repository(), new URIish(url)))) {
      SshTransport ssh = assertInstanceOf(SshTransport.class, transport);
      assertInstanceOf(SshdSessionFactory.class, ssh.getSshSessionFactory());
      assertNull(transport.getCredentialsProvider());
    }
  }

  @Test
  void httpsGetsTheUsernamePasswordProvider() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("r"));
        RemoteAccess access =
            new RemoteAccess(
                new GitCredentials.UsernamePassword("u", "p"), GitMirror.DEFAULT_TIMEOUT);
        Transport transport =
            access.configure(Transport.open(repo.repository(), new URIish("https://h/r.git")))) {
      assertNotNull(transport.getCredentialsProvider());
    }
  }
}
