package ogp.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the webhook receivers. Unsigned (or wrongly signed) deliveries of any body and headers are
 * refused with 401 and never trigger a refresh; correctly signed but mangled payloads get an answer
 * below 500 and trigger a refresh only when the answer is 202 "accepted"; over real HTTP no body or
 * header combination ever gets a 5xx.
 */
class WebhookFuzzProperties {
  private static final String JSON_CHARS = "{}[]\",:0123456789truefalsnl \\/ref";
  private static final List<String> SIGNATURE_HEADERS =
      List.of(
          "X-Hub-Signature-256",
          "X-Hub-Signature",
          "X-Gitlab-Token",
          "X-Gitea-Signature",
          "X-Forgejo-Signature",
          "X-Gogs-Signature",
          "X-Signature",
          "X-GitHub-Event",
          "X-Gitlab-Event",
          "X-Event-Key",
          "X-Gitea-Event",
          "X-GitHub-Delivery",
          "X-Request-UUID",
          "Content-Type");
  private static WebhookServer server;

  @BeforeContainer
  static void start() {
    server =
        WebhookServer.start(
            new WebhookSettings(
                ProviderCase.GITHUB.followedRepo, "main", List.of(Hmac.SECRET), 64 * 1024));
  }

  @AfterContainer
  static void stop() {
    server.close();
  }

  @Property(tries = 3000)
  void unsignedDeliveriesAreRefusedAndTriggerNothing(
      @ForAll("endpoints") Endpoint endpoint,
      @ForAll("headers") Map<String, String> headers,
      @ForAll("bodies") byte[] body) {
    RecordingTrigger trigger = new RecordingTrigger();
    DeliveryReceiver receiver = receiver(trigger);
    InboundRequest request = new InboundRequest(headers, body);

    Reply reply = receiver.receive(endpoint.providerFor(request), request);

    assertEquals(Outcome.UNAUTHORIZED, reply.outcome(), () -> "headers " + headers);
    assertTrue(trigger.calls().isEmpty());
  }

  @Property(tries = 2000)
  void signedButMangledPayloadsNeverFailTheServer(
      @ForAll ProviderCase provider, @ForAll("mangled") byte[] body) {
    RecordingTrigger trigger = new RecordingTrigger();
    DeliveryReceiver receiver = receiver(trigger);
    InboundRequest request =
        new InboundRequest(provider.pushHeaders("d-1", body, Hmac.SECRET), body);
    Endpoint endpoint =
        Endpoint.all().stream()
            .filter(e -> e.path().equals(provider.path))
            .findFirst()
            .orElseThrow();

    Reply reply = receiver.receive(endpoint.providerFor(request), request);

    assertTrue(reply.outcome().status < 500, reply.toString());
    assertEquals(
        reply.outcome() == Outcome.ACCEPTED ? 1 : 0, trigger.calls().size(), reply.toString());
  }

  @Property(tries = 200)
  void overHttpAnyBodyAndHeadersGetA4xxNeverA5xx(
      @ForAll("endpoints") Endpoint endpoint,
      @ForAll("headers") Map<String, String> headers,
      @ForAll("bodies") byte[] body) {
    int before = server.trigger.calls().size();
    HttpResponse<String> response = server.post(endpoint.path(), headers, body);
    assertTrue(
        response.statusCode() >= 400 && response.statusCode() < 500,
        response.statusCode() + " " + response.body());
    assertEquals(before, server.trigger.calls().size());
  }

  private static DeliveryReceiver receiver(RecordingTrigger trigger) {
    return new DeliveryReceiver(
        WebhookSettings.of("https://github.com/acme/fleet-state", "main", List.of(Hmac.SECRET)),
        trigger);
  }

  @Provide
  Arbitrary<Endpoint> endpoints() {
    return Arbitraries.of(Endpoint.all());
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(512),
        Arbitraries.strings().withChars(JSON_CHARS).ofMaxLength(300).map(String::getBytes),
        Arbitraries.of(ProviderCase.values()).map(ProviderCase::push));
  }

  /** Random values, including well-formed-looking signatures, for the headers providers read. */
  @Provide
  Arbitrary<Map<String, String>> headers() {
    // HTTP clients refuse control characters in header values; the receivers see printable ASCII.
    Arbitrary<String> values =
        Arbitraries.oneOf(
            Arbitraries.strings().withCharRange((char) 0x20, (char) 0x7e).ofMaxLength(80),
            Arbitraries.strings()
                .withChars("0123456789abcdef")
                .ofLength(64)
                .map(hex -> "sha256=" + hex),
            Arbitraries.of(
                "push", "ping", "Push Hook", "repo:push", "sha256=", "application/json"));
    return Combinators.combine(
            Arbitraries.of(SIGNATURE_HEADERS).list().ofMaxSize(6).uniqueElements(),
            values.list().ofSize(6))
        .as(
            (names, vals) -> {
              Map<String, String> headers = new LinkedHashMap<>();
              for (int i = 0; i < names.size(); i++) {
                String value = vals.get(i).strip();
                if (!value.isEmpty()) headers.put(names.get(i), value);
              }
              return headers;
            });
  }

  /** A provider's real push payload with bytes replaced, inserted or cut. */
  @Provide
  Arbitrary<byte[]> mangled() {
    Arbitrary<byte[]> payload = Arbitraries.of(ProviderCase.values()).map(ProviderCase::push);
    Arbitrary<Integer> at = Arbitraries.integers().between(0, 100_000);
    Arbitrary<byte[]> replaced =
        Combinators.combine(
                payload, at.list().ofMaxSize(6), Arbitraries.chars().with(JSON_CHARS.toCharArray()))
            .as(
                (p, positions, c) -> {
                  byte[] copy = p.clone();
                  for (int i : positions) copy[i % copy.length] = (byte) c.charValue();
                  return copy;
                });
    Arbitrary<byte[]> cut =
        Combinators.combine(payload, at).as((p, i) -> Arrays.copyOf(p, i % p.length));
    Arbitrary<byte[]> typeSwapped =
        payload.map(
            p ->
                new String(p)
                    .replaceFirst("\"ref\"\\s*:\\s*\"[^\"]*\"", "\"ref\": {\"nested\": [1, 2]}")
                    .getBytes());
    return Arbitraries.oneOf(replaced, cut, typeSwapped);
  }
}
