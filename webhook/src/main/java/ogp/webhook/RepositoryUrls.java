package ogp.webhook;

import java.util.LinkedHashSet;
import java.util.Set;

/** Collects the non-empty repository URLs a payload names; a push that names none is unreadable. */
final class RepositoryUrls {
  private RepositoryUrls() {}

  static Set<String> from(Payload payload, String... dottedPaths) throws MalformedPayload {
    Set<String> urls = new LinkedHashSet<>();
    for (String path : dottedPaths) {
      String url = payload.optionalText(path);
      if (!url.isEmpty()) {
        urls.add(url);
      }
    }
    return requireSome(urls, String.join(", ", dottedPaths));
  }

  static Set<String> requireSome(Set<String> urls, String where) throws MalformedPayload {
    if (urls.isEmpty()) {
      throw new MalformedPayload("payload names no repository (looked at " + where + ")");
    }
    return urls;
  }
}
