package ogp.reconciler.events;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Why an {@link Event} happened; shown in the API as the PascalCase label, e.g. {@code
 * RevisionApplied}.
 */
public enum EventReason {
  REVISION_APPLIED("RevisionApplied"),
  REVISION_REJECTED("RevisionRejected"),
  REVISION_HELD("RevisionHeld"),
  FETCH_FAILED("FetchFailed"),
  FETCH_RECOVERED("FetchRecovered"),
  HOST_CONNECTED("HostConnected"),
  HOST_DISCONNECTED("HostDisconnected"),
  HOST_LOST("HostLost"),
  /** A Hello declared labels other than the ones bound to the host; the bound ones stay. */
  HOST_LABELS_IGNORED("HostLabelsIgnored"),
  /** An operator changed the labels bound to a host. */
  HOST_LABELS_CHANGED("HostLabelsChanged"),
  CONTAINER_STARTED("ContainerStarted"),
  CONTAINER_REPLACED("ContainerReplaced"),
  CONTAINER_REMOVED("ContainerRemoved"),
  CONTAINER_FAILED("ContainerFailed"),
  DRIFT_REPAIRED("DriftRepaired"),
  PULL_FAILED("PullFailed"),
  CHANGE_COMMITTED("ChangeCommitted"),
  ROLLBACK_COMMITTED("RollbackCommitted"),
  ROLLOUT_FAILED("RolloutFailed"),
  ROLLBACK_FAILED("RollbackFailed"),
  ASSIGNMENT_REFUSED("AssignmentRefused"),
  HOST_FORGOTTEN("HostForgotten"),
  /** An agent enrolled with a join token and received its client certificate. */
  HOST_ENROLLED("HostEnrolled"),
  /** An enrolled agent renewed its certificate (same key) over the link. */
  HOST_CERTIFICATE_RENEWED("HostCertificateRenewed"),
  /** An admin revoked a host: its agent and its certificate's key are refused. */
  HOST_REVOKED("HostRevoked"),
  /**
   * A replica of a replicated server ({@code --etcd}) was elected and leads from now on, at the
   * epoch its message names; recorded on the new leader's event log.
   */
  LEADER_ELECTED("LeaderElected");

  private final String label;

  EventReason(String label) {
    this.label = label;
  }

  @JsonValue
  public String label() {
    return label;
  }
}
