package ogp.reconciler.agents;

import static ogp.reconciler.testing.Bytes.concat;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import ogp.protocol.v1.Envelope;
import ogp.protocol.v1.Heartbeat;
import ogp.protocol.v1.StatusReport;

/**
 * Fuzzes the server's frame decoder and session handler with random and mutated frames. Whatever
 * arrives, no exception escapes the pipeline, no host registers without a valid Hello, and the
 * connection either keeps waiting for a complete frame, answers, or closes: it never hangs in a
 * broken state. Inputs that once failed are kept in {@code src/test/resources/corpus/frames} and
 * replayed by {@link HostileFramesTest}.
 */
class FrameFuzzProperties {
  private static final byte[] VALID_SESSION =
      concat(
          ServerConnection.frame(
              Envelope.newBuilder().setHello(RawAgent.hello("h1", ServerConnection.TOKEN)).build()),
          ServerConnection.frame(
              Envelope.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSeq(1)).build()),
          ServerConnection.frame(
              Envelope.newBuilder()
                  .setStatus(StatusReport.newBuilder().setRevision("r1"))
                  .build()));

  @Property(tries = 3000)
  void randomBytesNeverEscapeTheConnection(@ForAll @Size(max = 2048) byte[] bytes) {
    try (ServerConnection connection = new ServerConnection()) {
      connection.receive(bytes);
      connection.replies();
      assertTrue(connection.registry.hosts().isEmpty(), "random bytes cannot carry the join token");
    }
  }

  @Property(tries = 3000)
  void mutatedValidSessionsNeverEscapeTheConnection(@ForAll("mutatedSessions") byte[] bytes) {
    try (ServerConnection connection = new ServerConnection()) {
      connection.receive(bytes);
      List<Envelope> replies = connection.replies();
      // A refusal always ends the connection.
      if (replies.stream().anyMatch(Envelope::hasRefusal)) {
        assertFalse(connection.channel.isOpen());
      }
    }
  }

  @Property(tries = 1000)
  void framesSplitAnywhereDecodeAsWhole(@ForAll("splits") int split) {
    try (ServerConnection connection = new ServerConnection()) {
      int at = Math.min(split, VALID_SESSION.length);
      connection.receive(Arrays.copyOfRange(VALID_SESSION, 0, at));
      connection.receive(Arrays.copyOfRange(VALID_SESSION, at, VALID_SESSION.length));
      assertTrue(connection.registry.host("h1").orElseThrow().connected());
      assertTrue(connection.channel.isOpen());
    }
  }

  @Provide
  Arbitrary<Integer> splits() {
    return Arbitraries.integers().between(0, VALID_SESSION.length);
  }

  /** The valid session with bytes flipped, inserted, removed or the tail cut off. */
  @Provide
  Arbitrary<byte[]> mutatedSessions() {
    Arbitrary<Integer> positions = Arbitraries.integers().between(0, VALID_SESSION.length - 1);
    Arbitrary<Byte> values = Arbitraries.bytes();
    Arbitrary<byte[]> flipped =
        positions
            .list()
            .ofMaxSize(8)
            .flatMap(
                ps ->
                    values
                        .list()
                        .ofSize(ps.size())
                        .map(
                            vs -> {
                              byte[] copy = VALID_SESSION.clone();
                              for (int i = 0; i < ps.size(); i++) copy[ps.get(i)] = vs.get(i);
                              return copy;
                            }));
    Arbitrary<byte[]> truncated = positions.map(p -> Arrays.copyOf(VALID_SESSION, p));
    Arbitrary<byte[]> inserted =
        positions.flatMap(
            p ->
                Arbitraries.bytes()
                    .array(byte[].class)
                    .ofMaxSize(16)
                    .map(
                        extra ->
                            concat(
                                Arrays.copyOf(VALID_SESSION, p),
                                extra,
                                Arrays.copyOfRange(VALID_SESSION, p, VALID_SESSION.length))));
    Arbitrary<byte[]> removed =
        positions.flatMap(
            p ->
                Arbitraries.integers()
                    .between(1, 16)
                    .map(
                        n ->
                            concat(
                                Arrays.copyOf(VALID_SESSION, p),
                                Arrays.copyOfRange(
                                    VALID_SESSION,
                                    Math.min(VALID_SESSION.length, p + n),
                                    VALID_SESSION.length))));
    return Arbitraries.oneOf(flipped, truncated, inserted, removed);
  }
}
