package ogp.cli;

import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import ogp.protocol.LoopGuard;
import ogp.reconciler.agents.RedirectingAgentPort;
import ogp.reconciler.api.MetricsRoutes;
import ogp.reconciler.auth.TokenStore;

/**
 * The listeners of a replica while it does not lead, on the ports its server uses when it does: the
 * {@link StandbyFront} on the HTTP port and a {@link RedirectingAgentPort} on the agent port (same
 * TLS as the server's agent link), which sends agents to the leader. The API tokens for {@code
 * /api/v1/cluster} are the data dir's, re-read every second as the shared files change them. {@link
 * #close()} frees both ports for the replica's server.
 */
final class Standby implements AutoCloseable {
  private final StandbyFront front;
  private final RedirectingAgentPort agentPort;
  private final ScheduledExecutorService tokenRefresh;

  private Standby(
      StandbyFront front, RedirectingAgentPort agentPort, ScheduledExecutorService tokenRefresh) {
    this.front = front;
    this.agentPort = agentPort;
    this.tokenRefresh = tokenRefresh;
  }

  /**
   * Starts both listeners.
   *
   * @param agentTls the agent link's TLS context, or null for plain TCP
   */
  static Standby start(
      StandbyFront.Settings http,
      int agentPortNumber,
      SslContext agentTls,
      Path dataDir,
      ClusterView cluster,
      String self,
      MetricsRoutes metrics,
      Clock clock)
      throws IOException, InterruptedException {
    TokenStore tokens = TokenStore.open(dataDir, clock);
    ScheduledExecutorService refresh =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ogp-standby-tokens");
              t.setDaemon(true);
              return t;
            });
    refresh.scheduleWithFixedDelay(
        LoopGuard.guarded("re-reading the token store", tokens::refresh), 0, 1, TimeUnit.SECONDS);
    StandbyFront front = null;
    try {
      front = StandbyFront.start(http, self, cluster::status, tokens, metrics);
      RedirectingAgentPort agents =
          PortInUse.explained(
              "--agent-port",
              http.bind(),
              agentPortNumber,
              () ->
                  RedirectingAgentPort.start(
                      http.bind(), agentPortNumber, agentTls, cluster::redirect));
      return new Standby(front, agents, refresh);
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (front != null) front.close();
      refresh.shutdownNow();
      throw e;
    }
  }

  int httpPort() {
    return front.port();
  }

  int agentPort() {
    return agentPort.port();
  }

  @Override
  public void close() {
    try {
      front.close();
    } finally {
      agentPort.close();
      tokenRefresh.shutdownNow();
    }
  }
}
