package ogp.reconciler.desired;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One application of the desired state (format {@code ogp/v1}, SPEC §2), as validated from one YAML
 * document. Immutable; collections are unmodifiable copies.
 *
 * @param name the app's unique name
 * @param image image repository without tag
 * @param version the image tag, always the literal text of the YAML scalar
 * @param state running, stopped or absent
 * @param placement where it runs: a host list or a label selector
 * @param instances containers per selected host (at least 1)
 * @param command overrides the image's CMD; empty when not given
 * @param entrypoint overrides the image's ENTRYPOINT; empty when not given
 * @param env environment variables, in file order
 * @param ports published ports
 * @param volumes bind mounts
 * @param restart Docker restart policy
 * @param health the probe the agent runs, if any
 * @param update how a version change rolls out across hosts
 * @param source where the document starts, for messages and edits
 */
public record App(
    String name,
    String image,
    String version,
    AppState state,
    Placement placement,
    int instances,
    List<String> command,
    List<String> entrypoint,
    Map<String, String> env,
    List<PortMapping> ports,
    List<VolumeMount> volumes,
    RestartPolicy restart,
    Optional<HealthCheck> health,
    UpdatePolicy update,
    SourcePosition source) {

  public App {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(placement, "placement");
    if (instances < 1) throw new IllegalArgumentException("instances must be >= 1: " + instances);
    command = List.copyOf(command);
    entrypoint = List.copyOf(entrypoint);
    env = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env));
    ports = List.copyOf(ports);
    volumes = List.copyOf(volumes);
    Objects.requireNonNull(restart, "restart");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(source, "source");
  }

  /**
   * Whether {@code other} defines this app exactly alike but perhaps at another place (another
   * file, line or column): moving an app's document does not change the app.
   */
  public boolean sameConfigurationAs(App other) {
    return this == other || (other != null && equals(other.withSource(source)));
  }

  /** This app as defined at another place; everything else the same objects. */
  public App withSource(SourcePosition source) {
    return copy(version, source);
  }

  /** This app at another image version; everything else the same objects. */
  public App withVersion(String version) {
    return copy(version, source);
  }

  /** The one positional copy: a new component is added here and in the canonical constructor. */
  private App copy(String version, SourcePosition source) {
    return new App(
        name,
        image,
        version,
        state,
        placement,
        instances,
        command,
        entrypoint,
        env,
        ports,
        volumes,
        restart,
        health,
        update,
        source);
  }

  /** The image reference with its tag, e.g. {@code 127.0.0.1:5000/demo/web:42}. */
  public String imageRef() {
    return image + ":" + version;
  }
}
