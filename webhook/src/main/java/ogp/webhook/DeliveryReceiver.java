package ogp.webhook;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what one delivery, already bounded in size, leads to. A flat run of guards, in an order
 * that matters: nothing is read from an unverified body; a duplicate is recognized before the
 * filters so a redelivery is never counted as new; and only a push to the followed repository and
 * branch reaches the {@link RefreshTrigger}. The payload stays a hint: its sha is passed on, never
 * applied.
 */
final class DeliveryReceiver {
  private static final Logger log = LoggerFactory.getLogger(DeliveryReceiver.class);

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
      log.debug(
          "{} delivery refused: missing or invalid {}",
          provider.name(),
          provider.signature().header());
      return new Reply(
          Outcome.UNAUTHORIZED, "missing or invalid " + provider.signature().header() + " header");
    }
    String deliveryId = provider.deliveryId(request);
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
      pushes = provider.pushes(payload, deliveryId);
    } catch (MalformedPayload e) {
      log.debug("{} delivery {} refused: {}", provider.name(), deliveryId, e.getMessage());
      return new Reply(Outcome.BAD_REQUEST, e.getMessage());
    }
    RecentDeliveries recent =
        recentByProvider.computeIfAbsent(
            provider.name(), name -> new RecentDeliveries(RecentDeliveries.DEFAULT_CAPACITY));
    // Providers redeliver on timeouts and by hand; the first delivery already did the work.
    if (!recent.firstTime(deliveryId)) {
      log.debug("{} delivery {} ignored: already received", provider.name(), deliveryId);
      return new Reply(Outcome.DUPLICATE, "delivery " + deliveryId + " was already received");
    }
    Set<String> urls = pushes.isEmpty() ? Set.of() : pushes.get(0).repositoryUrls();
    // One hook often serves many repositories; a local followed repository cannot be named by any
    // host.
    if (!pushes.isEmpty() && !followsRepository(urls)) {
      log.debug(
          "{} delivery {} ignored: {} is not the followed repository",
          provider.name(),
          deliveryId,
          urls);
      return new Reply(Outcome.IGNORED_REPO, "not the followed repository");
    }
    Optional<PushEvent> followed =
        pushes.stream().filter(p -> p.ref().equals(settings.followedRef())).findFirst();
    // Other branches and tags do not change the desired state.
    if (followed.isEmpty()) {
      log.debug(
          "{} delivery {} ignored: refs {} are not {}",
          provider.name(),
          deliveryId,
          pushes.stream().map(PushEvent::ref).toList(),
          settings.followedRef());
      return new Reply(Outcome.IGNORED_BRANCH, "not the followed branch " + settings.followedRef());
    }
    try {
      trigger.refresh(followed.get());
    } catch (RuntimeException e) {
      recent.forget(deliveryId);
      log.error("{} delivery {}: the refresh could not be queued", provider.name(), deliveryId, e);
      return new Reply(Outcome.TRIGGER_FAILED, "the refresh could not be queued; retry later");
    }
    log.info(
        "{} push of {} at {} (delivery {}): refresh queued",
        provider.name(),
        followed.get().ref(),
        followed.get().after(),
        deliveryId);
    return Reply.of(Outcome.ACCEPTED);
  }

  private boolean followsRepository(Set<String> urls) {
    String followed = settings.followedRepoUrl();
    return RepoUrl.isLocal(followed)
        || urls.stream().anyMatch(url -> RepoUrl.sameRepository(url, followed));
  }
}
