package ogp.webhook;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what one delivery, already bounded in size, leads to. A flat run of guards, in an order
 * that matters: nothing is read from an unverified body; a duplicate is recognized before the
 * filters so a redelivery is never counted as new; and only a push to the followed repository and
 * branch reaches the {@link RefreshTrigger}. The payload stays a hint: its sha is passed on, never
 * applied. Replies that do not queue a refresh carry, for {@link DeliveryLog}, what the payload
 * named.
 */
final class DeliveryReceiver {
  private static final Logger log = LoggerFactory.getLogger(DeliveryReceiver.class);

  /** A push may list any number of refs; a log line names a few. */
  private static final int MAX_REFS_LOGGED = 4;

  private final WebhookSettings settings;
  private final RefreshTrigger trigger;
  private final Map<String, RecentDeliveries> recentByProvider = new ConcurrentHashMap<>();

  DeliveryReceiver(WebhookSettings settings, RefreshTrigger trigger) {
    this.settings = settings;
    this.trigger = trigger;
  }

  Reply receive(Provider provider, InboundRequest request) {
    // Only the secret's holder may make us do anything, even parse.
    if (!provider.signature().verify(request, settings.secrets())) {
      return new Reply(
          Outcome.UNAUTHORIZED, "missing or invalid " + provider.signature().header() + " header");
    }
    String deliveryId = provider.deliveryId(request);
    PushedRepository repository;
    List<PushEvent> pushes;
    try {
      Payload payload = Payload.parse(request.body());
      EventKind kind = provider.kind(request, payload);
      // Pings prove the hook works; other events are not ours to act on.
      if (kind == EventKind.PING) {
        return Reply.of(Outcome.PING);
      }
      if (kind == EventKind.OTHER) {
        return new Reply(Outcome.IGNORED_EVENT, "not a push event");
      }
      repository = provider.repository(payload);
      pushes = provider.pushes(payload, repository, deliveryId);
    } catch (MalformedPayload e) {
      return new Reply(Outcome.BAD_REQUEST, e.getMessage());
    }
    RecentDeliveries recent =
        recentByProvider.computeIfAbsent(
            provider.name(), name -> new RecentDeliveries(RecentDeliveries.DEFAULT_CAPACITY));
    // Providers redeliver on timeouts and by hand; the first delivery already did the work.
    if (!recent.firstTime(deliveryId)) {
      return new Reply(Outcome.DUPLICATE, "delivery " + deliveryId + " was already received");
    }
    // One hook often serves many repositories; a local followed repository cannot be named by any
    // host.
    if (!pushes.isEmpty() && !followsRepository(repository)) {
      return new Reply(
          Outcome.IGNORED_REPO,
          "not the followed repository",
          "the payload names " + repository.describe());
    }
    Optional<PushEvent> followed =
        pushes.stream().filter(p -> p.ref().equals(settings.followedRef())).findFirst();
    // Other branches and tags do not change the desired state.
    if (followed.isEmpty()) {
      return new Reply(
          Outcome.IGNORED_BRANCH,
          "not the followed branch " + settings.followedRef(),
          "the payload names " + refs(pushes));
    }
    try {
      trigger.refresh(followed.get());
    } catch (RuntimeException e) {
      recent.forget(deliveryId);
      log.error(
          "{} delivery {}: the refresh could not be queued",
          provider.name(),
          LogText.quote(deliveryId),
          e);
      return new Reply(Outcome.TRIGGER_FAILED, "the refresh could not be queued; retry later");
    }
    log.info(
        "{} push of {} at {} (delivery {}): refresh queued",
        provider.name(),
        followed.get().ref(),
        LogText.quote(followed.get().after()),
        LogText.quote(deliveryId));
    return Reply.of(Outcome.ACCEPTED);
  }

  private boolean followsRepository(PushedRepository repository) {
    String followed = settings.followedRepoUrl();
    return RepoUrl.isLocal(followed) || repository.isNamedBy(followed);
  }

  private static String refs(List<PushEvent> pushes) {
    if (pushes.isEmpty()) {
      return "no ref";
    }
    String named =
        pushes.stream()
            .limit(MAX_REFS_LOGGED)
            .map(p -> LogText.quote(p.ref()))
            .collect(Collectors.joining(", "));
    return pushes.size() > MAX_REFS_LOGGED ? named + ", … (" + pushes.size() + " refs)" : named;
  }
}
