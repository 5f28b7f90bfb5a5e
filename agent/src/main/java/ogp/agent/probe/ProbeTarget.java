package ogp.agent.probe;

/**
 * The container a probe runs against, as it is now.
 *
 * @param containerId the container's id (for exec probes)
 * @param ipAddress its address on the Docker bridge network (for http and tcp probes), may be empty
 */
public record ProbeTarget(String containerId, String ipAddress) {}
