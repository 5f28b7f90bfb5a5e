package ogp.portal.changes;

import java.util.List;
import java.util.Objects;

/** A change an operator asks for on the app page; each becomes exactly one commit. */
public sealed interface ChangeRequest {
  String app();

  /** A short verb phrase for the dialog title and the flash message. */
  String title();

  /** Sets the version (image tag). */
  record Deploy(String app, String version) implements ChangeRequest {
    public Deploy {
      Objects.requireNonNull(version, "version");
    }

    public String title() {
      return "Deploy " + app + " version " + version;
    }
  }

  /** Sets the hosts the app runs on. */
  record Place(String app, List<String> hosts) implements ChangeRequest {
    public Place {
      hosts = List.copyOf(hosts);
    }

    public String title() {
      return "Place " + app + " on " + (hosts.isEmpty() ? "no hosts" : String.join(", ", hosts));
    }
  }

  /** {@code state: absent}. */
  record Offline(String app) implements ChangeRequest {
    public String title() {
      return "Take " + app + " offline";
    }
  }

  /** {@code state: running}. */
  record Online(String app) implements ChangeRequest {
    public String title() {
      return "Bring " + app + " online";
    }
  }

  /**
   * A revert commit of {@code commit} (limited to the app's own document, and to what the user's
   * role may change).
   */
  record Rollback(String app, String commit) implements ChangeRequest {
    public Rollback {
      Objects.requireNonNull(commit, "commit");
    }

    public String title() {
      return "Roll back "
          + app
          + ": revert "
          + (commit.length() > 8 ? commit.substring(0, 8) : commit);
    }
  }
}
