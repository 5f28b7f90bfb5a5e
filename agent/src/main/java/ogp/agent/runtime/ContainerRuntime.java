package ogp.agent.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import ogp.protocol.v1.ContainerSpec;

/**
 * The container operations the agent's converger and health probes need, and nothing more.
 *
 * <p>Policy: only containers labelled {@code ogp.managed=true} are ever listed, and every operation
 * that changes a container refuses one without that label, so a container an operator started by
 * hand can never be stopped or removed by OGP. Failures are thrown as {@link RuntimeFailure}
 * carrying the engine's (or the registry's) own message, so it can be reported as a container's
 * last error unchanged.
 */
public interface ContainerRuntime extends AutoCloseable {

  /** The engine this runtime talks to and the API version it negotiated. */
  EngineInfo engine();

  /** Every managed container, running or not, with the values its labels and state carry. */
  List<ManagedContainer> listManaged();

  /** One managed container by id, empty when it is gone or not managed. */
  Optional<ManagedContainer> inspect(String containerId);

  /** Whether {@code image} ("repository:tag") is present locally. */
  boolean imagePresent(String image);

  /** Pulls {@code image} ("repository:tag") with the credentials configured for its registry. */
  void pull(String image);

  /**
   * Creates (does not start) the container of {@code spec}, named {@link
   * ContainerKey#containerName()}, with the OGP labels. A leftover managed container holding that
   * name is replaced; an unmanaged one is never touched and makes this fail.
   *
   * @return the new container's id
   */
  String create(ContainerSpec spec);

  /** Starts a managed container; starting a running one is not an error. */
  void start(String containerId);

  /**
   * Stops a managed container, killing it after {@code grace}; stopping a stopped one is not an
   * error.
   */
  void stop(String containerId, Duration grace);

  /**
   * Removes a managed container (forcefully, with its anonymous volumes kept); a gone one is not an
   * error.
   */
  void remove(String containerId);

  /** Runs {@code argv} inside a running managed container, waiting at most {@code timeout}. */
  ExecResult exec(String containerId, List<String> argv, Duration timeout);

  @Override
  void close();
}
