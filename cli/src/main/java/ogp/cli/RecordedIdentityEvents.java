package ogp.cli;

import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;
import ogp.reconciler.agents.IdentityEvents;
import ogp.reconciler.events.Event;
import ogp.reconciler.events.EventLog;
import ogp.reconciler.events.EventReason;

/**
 * Enrolments, renewals and revocations as events ({@code HostEnrolled}, {@code
 * HostCertificateRenewed}, {@code HostRevoked}): the audit trail of who may be which host. The
 * agent port opens a moment before the event log exists; an enrolment in that moment is logged (by
 * the agent server) but not recorded as an event.
 */
final class RecordedIdentityEvents implements IdentityEvents {
  private final Supplier<EventLog> log;
  private final Clock clock;

  RecordedIdentityEvents(Supplier<EventLog> log, Clock clock) {
    this.log = log;
    this.clock = clock;
  }

  @Override
  public void enrolled(String hostId, String tokenName, Instant notAfter) {
    record(
        EventReason.HOST_ENROLLED,
        hostId,
        hostId
            + " enrolled with join token '"
            + tokenName
            + "'; certificate valid until "
            + notAfter);
  }

  @Override
  public void renewed(String hostId, Instant notAfter) {
    record(
        EventReason.HOST_CERTIFICATE_RENEWED,
        hostId,
        hostId + " renewed its certificate; valid until " + notAfter);
  }

  @Override
  public void revoked(String hostId) {
    record(
        EventReason.HOST_REVOKED,
        hostId,
        hostId
            + " revoked: its agent and its certificate's key are refused; containers left running");
  }

  private void record(EventReason reason, String hostId, String message) {
    EventLog events = log.get();
    if (events != null) events.record(Event.of(clock, reason, message).withHost(hostId));
  }
}
