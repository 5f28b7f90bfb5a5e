package ogp.agent.converge;

import ogp.agent.runtime.ContainerKey;
import ogp.protocol.v1.ContainerSpec;

/**
 * One step of a local plan. Every action belongs to the desired (or formerly desired) container it
 * serves, its {@link #key()}: when one action of a key fails, the converger skips that key's later
 * actions (so a failed pull never removes the old container) and goes on with other keys.
 */
public sealed interface Action {
  ContainerKey key();

  /** Pull {@code image} ("repository:tag"), which is not present locally. */
  record PullImage(ContainerKey key, String image) implements Action {}

  /** Create the container of {@code spec}, and start it unless the spec says STOPPED. */
  record CreateContainer(ContainerKey key, ContainerSpec spec) implements Action {
    /** One line for logs: the spec's text format spans many. */
    @Override
    public String toString() {
      return "CreateContainer[key="
          + key
          + ", image="
          + spec.getImage()
          + ":"
          + spec.getVersion()
          + ", specHash="
          + spec.getSpecHash()
          + "]";
    }
  }

  /** Start an existing container that should run but does not (drift repair). */
  record StartContainer(ContainerKey key, String containerId) implements Action {}

  /** Stop a running container, gracefully, before removing it or because the spec says STOPPED. */
  record StopContainer(ContainerKey key, String containerId) implements Action {}

  /** Remove a container: no longer desired, superseded by a new spec, or a duplicate. */
  record RemoveContainer(ContainerKey key, String containerId) implements Action {}
}
