package ogp.agent.runtime;

import java.time.Instant;
import java.util.Set;

/**
 * A container labelled {@code ogp.managed=true}, as the engine reports it now.
 *
 * @param id the full container id
 * @param name the name without Docker's leading slash
 * @param app label {@code ogp.app}
 * @param instance label {@code ogp.instance}; -1 when missing or unreadable, so such a container
 *     matches no desired container and is cleaned up
 * @param image the image reference it was created from
 * @param version label {@code ogp.version}
 * @param revision label {@code ogp.revision}
 * @param specHash label {@code ogp.spec-hash}
 * @param state Docker's state: created, running, paused, restarting, removing, exited, dead
 * @param exitCode the last exit code (0 while it never exited)
 * @param restartCount how often Docker's restart policy restarted it
 * @param startedAt when it last started, or null if it never did
 * @param ipAddress its address on the first Docker network it is attached to, empty if none
 */
public record ManagedContainer(
    String id,
    String name,
    String app,
    int instance,
    String image,
    String version,
    String revision,
    String specHash,
    String state,
    int exitCode,
    int restartCount,
    Instant startedAt,
    String ipAddress) {

  private static final Set<String> RUNNING_STATES = Set.of("running", "restarting", "paused");

  public ContainerKey key() {
    return new ContainerKey(app, instance);
  }

  /** Running in the sense of "do not start it again": paused and restarting count as running. */
  public boolean isRunning() {
    return RUNNING_STATES.contains(state);
  }
}
