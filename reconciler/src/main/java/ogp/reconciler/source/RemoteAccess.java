package ogp.reconciler.source;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Turns {@link GitCredentials} into JGit transport settings.
 *
 * <p>Policy: HTTP(S) gets a {@link UsernamePasswordCredentialsProvider}; SSH gets its own {@link
 * SshdSessionFactory} that offers only the configured key and checks host keys against the
 * configured known-hosts file (unknown hosts are refused: accepting them silently would let anyone
 * on the path serve a fake desired state). Nothing from the user's {@code ~/.ssh/config} is read,
 * so the reconciler behaves the same on every machine.
 *
 * <p>Timeout policy: every transport gets a connect and read timeout (JGit's default is to wait
 * forever), so a remote that accepts a connection and then stalls fails the operation after the
 * timeout instead of stopping polls and changes for good. JGit applies it per read: a remote that
 * keeps trickling bytes is slow, not stalled.
 */
final class RemoteAccess implements AutoCloseable {
  private final CredentialsProvider credentialsProvider;
  private final SshdSessionFactory sshSessionFactory;
  private final int timeoutSeconds;

  RemoteAccess(GitCredentials credentials, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero())
      throw new IllegalArgumentException("Git timeout must be positive, got " + timeout);
    // JGit counts whole seconds; a sub-second timeout rounds up rather than to "no timeout".
    this.timeoutSeconds =
        (int) Math.min(Integer.MAX_VALUE, Math.max(1, (timeout.toMillis() + 999) / 1000));
    this.credentialsProvider =
        credentials instanceof GitCredentials.UsernamePassword up
            ? new UsernamePasswordCredentialsProvider(up.username(), up.password())
            : null;
    this.sshSessionFactory =
        credentials instanceof GitCredentials.SshKey key ? sshFactory(key) : null;
  }

  /** Applies credentials and the SSH session factory to a porcelain command. */
  <C extends TransportCommand<C, ?>> C configure(C command) {
    if (credentialsProvider != null) {
      command.setCredentialsProvider(credentialsProvider);
    }
    command.setTimeout(timeoutSeconds);
    return command.setTransportConfigCallback(this::configure);
  }

  /** Applies credentials and the SSH session factory to a transport opened directly. */
  Transport configure(Transport transport) {
    if (credentialsProvider != null) {
      transport.setCredentialsProvider(credentialsProvider);
    }
    transport.setTimeout(timeoutSeconds);
    if (sshSessionFactory != null && transport instanceof SshTransport ssh) {
      ssh.setSshSessionFactory(sshSessionFactory);
    }
    return transport;
  }

  private static SshdSessionFactory sshFactory(GitCredentials.SshKey key) {
    File home = new File(System.getProperty("user.home"));
    File sshDir = new File(home, ".ssh");
    Path knownHosts = key.knownHosts().orElse(sshDir.toPath().resolve("known_hosts"));
    return new SshdSessionFactoryBuilder()
        .setHomeDirectory(home)
        .setSshDirectory(sshDir)
        // An empty config: the reconciler's SSH behaviour must not depend on the operator's
        // ~/.ssh/config.
        .setConfigFile(dir -> null)
        .setDefaultIdentities(dir -> List.of(key.keyFile()))
        .setDefaultKnownHostsFiles(dir -> List.of(knownHosts))
        .setPreferredAuthentications("publickey")
        .build(null);
  }

  @Override
  public void close() {
    if (sshSessionFactory != null) {
      sshSessionFactory.close();
    }
  }
}
