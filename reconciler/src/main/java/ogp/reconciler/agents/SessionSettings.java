package ogp.reconciler.agents;

import java.time.Clock;
import ogp.protocol.v1.Welcome;

/**
 * What every connection's {@link SessionHandler} shares: how to check a Hello, where hosts are
 * registered, the Welcome to send (its heartbeat interval also sets the reader-idle limit), how
 * long a Hello may take, the clock for liveness, the caps on connections not yet welcomed and who
 * answers certificate requests (enrolment, renewal).
 */
record SessionSettings(
    HelloCheck helloCheck,
    HostRegistry registry,
    Welcome welcome,
    long helloTimeoutMillis,
    Clock clock,
    PendingHandshakes pendingHandshakes,
    Enrolment enrolment) {}
