package ogp.webhook;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each provider as it sends a push: its endpoint, a repository its fixture names, the headers it
 * sends (signed with a given secret) and the header that carries its own signature.
 */
enum ProviderCase {
  GITHUB(
      "github",
      "/webhooks/github",
      "https://github.com/acme/fleet-state",
      "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
      "X-Hub-Signature-256") {
    @Override
    Map<String, String> pushHeaders(String delivery, byte[] body, byte[] secret) {
      return ordered(
          "User-Agent",
          "GitHub-Hookshot/5f6b6e5",
          "X-GitHub-Event",
          "push",
          "X-GitHub-Delivery",
          delivery,
          "X-GitHub-Hook-ID",
          "479532914",
          "X-Hub-Signature-256",
          "sha256=" + Hmac.sha256Hex(secret, body));
    }
  },
  GITLAB(
      "gitlab",
      "/webhooks/gitlab",
      "git@gitlab.example.com:platform/fleet-state.git",
      "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
      "X-Gitlab-Token") {
    @Override
    Map<String, String> pushHeaders(String delivery, byte[] body, byte[] secret) {
      return ordered(
          "User-Agent",
          "GitLab/17.5.0",
          "X-Gitlab-Event",
          "Push Hook",
          "X-Gitlab-Token",
          new String(secret, StandardCharsets.UTF_8),
          "X-Gitlab-Instance",
          "https://gitlab.example.com",
          "X-Gitlab-Webhook-UUID",
          "5b2c8a1e-hook",
          "X-Gitlab-Event-UUID",
          "event-" + delivery,
          "Idempotency-Key",
          delivery);
    }
  },
  GITEA(
      "gitea",
      "/webhooks/gitea",
      "https://gitea.example.com/platform/fleet-state.git",
      "2f0a96a8e9b3c2d1f0e7a6b5c4d3e2f1a0b9c8d7",
      "X-Gitea-Signature") {
    @Override
    Map<String, String> pushHeaders(String delivery, byte[] body, byte[] secret) {
      String hex = Hmac.sha256Hex(secret, body);
      // Gitea sends its own headers and Gogs' and GitHub's, all signed the same way.
      return ordered(
          "X-Gitea-Event",
          "push",
          "X-Gitea-Event-Type",
          "push",
          "X-Gitea-Delivery",
          delivery,
          "X-Gitea-Signature",
          hex,
          "X-Gogs-Event",
          "push",
          "X-Gogs-Delivery",
          delivery,
          "X-Gogs-Signature",
          hex,
          "X-GitHub-Event",
          "push",
          "X-GitHub-Delivery",
          delivery,
          "X-Hub-Signature-256",
          "sha256=" + hex);
    }
  },
  FORGEJO(
      "forgejo",
      "/webhooks/gitea",
      "ssh://git@codeberg.org:22/platform/fleet-state.git",
      "7c1d3f5a9e2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d",
      "X-Forgejo-Signature") {
    @Override
    Map<String, String> pushHeaders(String delivery, byte[] body, byte[] secret) {
      String hex = Hmac.sha256Hex(secret, body);
      Map<String, String> headers =
          ordered(
              "X-Forgejo-Event",
              "push",
              "X-Forgejo-Event-Type",
              "push",
              "X-Forgejo-Delivery",
              delivery,
              "X-Forgejo-Signature",
              hex);
      headers.putAll(GITEA.pushHeaders(delivery, body, secret));
      return headers;
    }
  },
  GOGS(
      "gogs",
      "/webhooks/gitea",
      "https://gogs.example.com/platform/fleet-state",
      "5b3e2a1c9d8f7e6a5b4c3d2e1f0a9b8c7d6e5f4a",
      "X-Gogs-Signature") {
    @Override
    Map<String, String> pushHeaders(String delivery, byte[] body, byte[] secret) {
      return ordered(
          "X-Gogs-Event",
          "push",
          "X-Gogs-Delivery",
          delivery,
          "X-Gogs-Signature",
          Hmac.sha256Hex(secret, body));
    }
  },
  BITBUCKET_CLOUD(
      "bitbucket-cloud",
      "/webhooks/bitbucket",
      "git@bitbucket.org:acme/fleet-state.git",
      "9fbd8b24a8e1c1c6b5d53b8c06a2e7bc2fa87e5d",
      "X-Hub-Signature") {
    @Override
    Map<String, String> pushHeaders(String delivery, byte[] body, byte[] secret) {
      return ordered(
          "User-Agent",
          "Bitbucket-Webhooks/2.0",
          "X-Event-Key",
          "repo:push",
          "X-Hook-UUID",
          "2b5c6a47-e3a2-4a7c-8f0e-8d1c4f9a7e21",
          "X-Request-UUID",
          delivery,
          "X-Attempt-Number",
          "1",
          "X-Hub-Signature",
          "sha256=" + Hmac.sha256Hex(secret, body));
    }
  },
  BITBUCKET_SERVER(
      "bitbucket-server",
      "/webhooks/bitbucket",
      "https://bitbucket.example.com/scm/plat/fleet-state.git",
      "22671f0349857934857983457983475ec39f196b",
      "X-Hub-Signature") {
    @Override
    Map<String, String> pushHeaders(String delivery, byte[] body, byte[] secret) {
      return ordered(
          "User-Agent",
          "Atlassian HttpClient 4.2.0",
          "X-Event-Key",
          "repo:refs_changed",
          "X-Request-Id",
          delivery,
          "X-Hub-Signature",
          "sha256=" + Hmac.sha256Hex(secret, body));
    }
  },
  GENERIC(
      "generic",
      "/webhooks/generic",
      "https://git.example.com/platform/fleet-state",
      "3c1b2a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b",
      "X-Signature") {
    @Override
    Map<String, String> pushHeaders(String delivery, byte[] body, byte[] secret) {
      return ordered(
          "User-Agent",
          "Jenkins",
          "X-Delivery-Id",
          delivery,
          "X-Signature",
          "sha256=" + Hmac.sha256Hex(secret, body));
    }
  };

  final String provider;
  final String path;

  /** A URL of the fixture's repository, in another form than the payload's own where possible. */
  final String followedRepo;

  final String after;
  final String signatureHeader;

  ProviderCase(
      String provider, String path, String followedRepo, String after, String signatureHeader) {
    this.provider = provider;
    this.path = path;
    this.followedRepo = followedRepo;
    this.after = after;
    this.signatureHeader = signatureHeader;
  }

  abstract Map<String, String> pushHeaders(String delivery, byte[] body, byte[] secret);

  byte[] push() {
    return Fixtures.payload(provider + "/push.json");
  }

  static Map<String, String> ordered(String... namesAndValues) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }
}
