package ogp.agent.runtime;

import ogp.protocol.v1.ContainerSpec;

/**
 * An image reference split the way the engine splits it: the registry host is the first path
 * component when it looks like a host (has a dot or a port, or is {@code localhost}), otherwise
 * Docker Hub. Needed to pick the registry's credentials and to pass repository and tag apart.
 *
 * @param registry the registry host, {@code docker.io} for Docker Hub
 * @param repository everything before the tag, including the registry host when one was written
 * @param tag the tag, {@code latest} when none was written
 */
public record ImageReference(String registry, String repository, String tag) {
  public static final String DOCKER_HUB = "docker.io";

  public static ImageReference parse(String reference) {
    if (reference == null || reference.isBlank()) {
      throw new IllegalArgumentException("empty image reference");
    }
    int slash = reference.lastIndexOf('/');
    int colon = reference.lastIndexOf(':');
    String repository = colon > slash ? reference.substring(0, colon) : reference;
    String tag = colon > slash ? reference.substring(colon + 1) : "latest";
    int first = repository.indexOf('/');
    String head = first < 0 ? "" : repository.substring(0, first);
    boolean hasHost = head.contains(".") || head.contains(":") || head.equals("localhost");
    return new ImageReference(hasHost ? head : DOCKER_HUB, repository, tag);
  }

  /** The image of a desired container: its repository at its version. */
  public static ImageReference of(ContainerSpec spec) {
    String version = spec.getVersion().isEmpty() ? "latest" : spec.getVersion();
    return parse(spec.getImage() + ":" + version);
  }

  @Override
  public String toString() {
    return repository + ":" + tag;
  }
}
