package ogp.webhook;

import java.util.Objects;
import java.util.Set;

/**
 * What a verified push tells us: a hint, never data to apply. The reconciler fetches from Git and
 * applies what Git says; {@link #after()} only says which commit to expect.
 *
 * @param provider the provider that sent it ({@code github}, {@code gitlab}, {@code gitea}, {@code
 *     forgejo}, {@code gogs}, {@code bitbucket-cloud}, {@code bitbucket-server}, {@code generic})
 * @param repositoryUrls every clone, web and SSH URL of the pushed repository the payload names;
 *     none when it names the repository otherwise (Bitbucket Server's project key and slug)
 * @param ref the full ref pushed, e.g. {@code refs/heads/main}
 * @param after the sha the ref now points at, or {@code ""} when the payload names none
 * @param deliveryId the provider's delivery id, or {@code ""} when the provider sends none
 */
public record PushEvent(
    String provider, Set<String> repositoryUrls, String ref, String after, String deliveryId) {
  public PushEvent {
    Objects.requireNonNull(provider, "provider");
    repositoryUrls = Set.copyOf(repositoryUrls);
    Objects.requireNonNull(ref, "ref");
    after = after == null ? "" : after;
    deliveryId = deliveryId == null ? "" : deliveryId;
  }
}
