package ogp.cli;

import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import ogp.protocol.LoopGuard;
import ogp.reconciler.agents.ParkedAgentCounts;
import ogp.reconciler.agents.Parking;
import ogp.reconciler.agents.RedirectingAgentPort;
import ogp.reconciler.api.MetricsRoutes;
import ogp.reconciler.auth.TokenStore;

/**
 * The listeners of a replica while it does not lead, on the ports its server uses when it does: the
 * {@link StandbyFront} on the HTTP port and a {@link RedirectingAgentPort} on the agent port (same
 * TLS as the server's agent link), which sends agents to the leader, holding them while the
 * leader's agent port does not answer yet. The API tokens for {@code /api/v1/cluster} are the data
 * dir's, re-read every second as the shared files change them.
 *
 * <p>Elected, the replica hands over in two steps: {@link #handOver()} frees both ports for its
 * server at once (the front closes, the agent port stops accepting) but keeps the agents parked on
 * the agent port, which from then on wait for this replica's own agent address and are redirected
 * there once its server listens; {@link #close()} ends the rest when nothing is held any more
 * ({@link #holdsNoAgent()}), or at once when the server did not start.
 */
final class Standby implements AutoCloseable {
  private final StandbyFront front;
  private final RedirectingAgentPort agentPort;
  private final ScheduledExecutorService tokenRefresh;
  private final AtomicBoolean handedOver;

  private Standby(
      StandbyFront front,
      RedirectingAgentPort agentPort,
      ScheduledExecutorService tokenRefresh,
      AtomicBoolean handedOver) {
    this.front = front;
    this.agentPort = agentPort;
    this.tokenRefresh = tokenRefresh;
    this.handedOver = handedOver;
  }

  /**
   * Starts both listeners.
   *
   * @param agentTls the agent link's TLS context, or null for plain TCP
   * @param parked the replica's counts of parked agents, kept across its standby terms
   */
  static Standby start(
      StandbyFront.Settings http,
      int agentPortNumber,
      SslContext agentTls,
      Path dataDir,
      ClusterView cluster,
      String self,
      MetricsRoutes metrics,
      ParkedAgentCounts parked,
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
    // Until the hand-over this replica is no target even when elected: a probe of its own address
    // would reach this port itself. After it, the agents held here wait for its own server.
    AtomicBoolean handedOver = new AtomicBoolean();
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
                      http.bind(),
                      agentPortNumber,
                      agentTls,
                      () -> handedOver.get() ? cluster.leaderRedirect() : cluster.redirect(),
                      cluster::electedHere,
                      Parking.DEFAULT,
                      parked));
      return new Standby(front, agents, refresh, handedOver);
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

  /**
   * Elected: frees the HTTP and agent ports for this replica's server at once. The agent port's
   * listening socket closes; the agents it holds stay and are redirected to this replica's own
   * agent address once that answers (or at the parking bound). Idempotent.
   */
  void handOver() {
    if (handedOver.get()) return;
    try {
      front.close();
    } finally {
      tokenRefresh.shutdownNow();
      agentPort.stopAccepting();
      // Only now: this replica's address reaches no listener until its server binds the port.
      handedOver.set(true);
    }
  }

  /** Whether the agent port holds no connection any more (none parked, none waiting to speak). */
  boolean holdsNoAgent() {
    return agentPort.unanswered() == 0;
  }

  @Override
  public void close() {
    try {
      if (!handedOver.get()) front.close();
    } finally {
      agentPort.close();
      tokenRefresh.shutdownNow();
    }
  }
}
