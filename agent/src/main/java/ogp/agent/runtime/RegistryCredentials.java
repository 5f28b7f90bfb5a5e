package ogp.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Registry logins of the agent, read from a Docker-style {@code config.json}: {@code {"auths":
 * {"127.0.0.1:5000": {"auth": base64("user:pass")}}}} or with {@code username}/{@code password}
 * fields. Keys may be written as a host, a host:port or a URL ({@code https://index.docker.io/v1/}
 * is Docker Hub); lookups are by the registry host of the image. Credential helpers are not
 * supported. Passwords never appear in {@link #toString()} or in error messages.
 */
public final class RegistryCredentials {
  private final Map<String, Login> byRegistry;

  /** A user name and password (or identity token as password) for one registry. */
  public record Login(String registry, String username, String password) {
    @Override
    public String toString() {
      return "Login[" + registry + ", " + username + ", ***]";
    }
  }

  private RegistryCredentials(Map<String, Login> byRegistry) {
    this.byRegistry = Map.copyOf(byRegistry);
  }

  public static RegistryCredentials none() {
    return new RegistryCredentials(Map.of());
  }

  /** Reads {@code file}; a missing or malformed file is an error the operator must see at start. */
  public static RegistryCredentials read(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new RuntimeFailure(
          "cannot read registry credentials " + file + ": " + e.getMessage(), e);
    }
  }

  public static RegistryCredentials parse(String json) {
    JsonNode auths;
    try {
      auths = new ObjectMapper().readTree(json).path("auths");
    } catch (IOException e) {
      // The parser's message may quote the file's content, i.e. a secret: keep it out.
      throw new RuntimeFailure("registry credentials are not valid JSON");
    }
    Map<String, Login> logins = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String registry = hostOf(entry.getKey());
      login(registry, entry.getValue()).ifPresent(login -> logins.put(registry, login));
    }
    return new RegistryCredentials(logins);
  }

  /**
   * The login for {@code registry} (a host or host:port as in {@link ImageReference#registry()}).
   */
  public Optional<Login> forRegistry(String registry) {
    return Optional.ofNullable(byRegistry.get(hostOf(registry)));
  }

  private static Optional<Login> login(String registry, JsonNode entry) {
    String auth = entry.path("auth").asText("");
    if (!auth.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new RuntimeFailure(
            "registry credentials for " + registry + ": \"auth\" is not base64");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new RuntimeFailure(
            "registry credentials for " + registry + ": \"auth\" is not user:password");
      }
      return Optional.of(
          new Login(registry, decoded.substring(0, colon), decoded.substring(colon + 1)));
    }
    String username = entry.path("username").asText("");
    if (!username.isEmpty()) {
      return Optional.of(new Login(registry, username, entry.path("password").asText("")));
    }
    return Optional.empty();
  }

  /**
   * {@code https://index.docker.io/v1/} → {@code docker.io}; {@code https://host:5000/x} → {@code
   * host:5000}.
   */
  static String hostOf(String key) {
    String host = key.trim();
    if (host.contains("://")) {
      URI uri = URI.create(host);
      host = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    } else if (host.contains("/")) {
      host = host.substring(0, host.indexOf('/'));
    }
    host = host.toLowerCase(java.util.Locale.ROOT);
    return host.equals("index.docker.io") || host.equals("registry-1.docker.io")
        ? ImageReference.DOCKER_HUB
        : host;
  }

  @Override
  public String toString() {
    return "RegistryCredentials" + byRegistry.keySet();
  }
}
