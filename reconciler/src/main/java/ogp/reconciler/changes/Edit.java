package ogp.reconciler.changes;

import java.util.List;
import java.util.Objects;

/**
 * One value of an app's document to set; {@link YamlEdit} applies it by replacing only its bytes.
 */
public sealed interface Edit {

  /**
   * Sets the top-level {@code version} (the image tag), keeping the scalar's quoting style where it
   * still reads the same.
   */
  record SetVersion(String version) implements Edit {
    public SetVersion {
      Objects.requireNonNull(version, "version");
    }
  }

  /**
   * Sets the top-level {@code state} ({@code running}, {@code stopped} or {@code absent}),
   * inserting the key if missing.
   */
  record SetState(String state) implements Edit {
    public SetState {
      Objects.requireNonNull(state, "state");
    }
  }

  /** Replaces the {@code hosts} list, keeping its flow or block layout. */
  record SetHosts(List<String> hosts) implements Edit {
    public SetHosts {
      hosts = List.copyOf(hosts);
    }
  }
}
