package ogp.cluster;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a replica reaches etcd ({@code ogp server --etcd URL,…} and the {@code --etcd-*} flags) and
 * the election's lease.
 *
 * @param endpoints the etcd client URLs, all http or all https
 * @param caFile the CA that signed etcd's server certificates (https endpoints)
 * @param certFile with keyFile: a client certificate for etcd's mutual TLS
 * @param user with passwordFile: etcd's user authentication
 * @param prefix every key of OGP's lives under it (several OGP clusters may share one etcd)
 * @param leaseTtl the leader's lease; a leader stops commanding before it can have expired
 * @param callTimeout the longest any one etcd call may take
 */
public record EtcdSettings(
    List<URI> endpoints,
    Optional<Path> caFile,
    Optional<Path> certFile,
    Optional<Path> keyFile,
    Optional<String> user,
    Optional<Path> passwordFile,
    String prefix,
    Duration leaseTtl,
    Duration callTimeout) {

  public static final String DEFAULT_PREFIX = "/ogp/";
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(3);

  public EtcdSettings {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) throw new IllegalArgumentException("--etcd needs at least one URL");
    Objects.requireNonNull(caFile);
    Objects.requireNonNull(certFile);
    Objects.requireNonNull(keyFile);
    Objects.requireNonNull(user);
    Objects.requireNonNull(passwordFile);
    if (certFile.isPresent() != keyFile.isPresent())
      throw new IllegalArgumentException("--etcd-cert-file and --etcd-key-file go together");
    if (user.isPresent() != passwordFile.isPresent())
      throw new IllegalArgumentException("--etcd-user and --etcd-password-file go together");
    if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/"))
      throw new IllegalArgumentException(
          "--etcd-prefix must start and end with '/', e.g. /ogp/: " + prefix);
    if (leaseTtl.compareTo(Duration.ofSeconds(2)) < 0)
      throw new IllegalArgumentException("the leader lease must be at least 2 s: " + leaseTtl);
  }

  /** Plain settings for the given endpoints: default prefix, lease and timeout, no TLS or auth. */
  public static EtcdSettings of(List<URI> endpoints) {
    return new EtcdSettings(
        endpoints,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        DEFAULT_PREFIX,
        DEFAULT_LEASE_TTL,
        DEFAULT_CALL_TIMEOUT);
  }

  /** The same settings with another lease TTL (tests and benchmarks use short ones). */
  public EtcdSettings withLeaseTtl(Duration ttl) {
    return new EtcdSettings(
        endpoints, caFile, certFile, keyFile, user, passwordFile, prefix, ttl, callTimeout);
  }

  /**
   * The endpoints of {@code --etcd}: comma-separated {@code http://host:port} or {@code
   * https://host:port} URLs, no path, one scheme for all.
   *
   * @throws IllegalArgumentException one sentence naming the first bad entry
   */
  public static List<URI> parseEndpoints(String flag) {
    if (flag == null || flag.isBlank())
      throw new IllegalArgumentException(
          "--etcd needs etcd client URLs, e.g. http://10.0.0.1:2379,http://10.0.0.2:2379");
    List<URI> endpoints = new ArrayList<>();
    String scheme = null;
    for (String part : flag.split(",", -1)) {
      String entry = part.strip();
      if (entry.isEmpty())
        throw new IllegalArgumentException("--etcd has an empty entry: '" + redacted(flag) + "'");
      URI uri;
      try {
        uri = new URI(entry);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(
            "--etcd entry '" + redacted(entry) + "' is not a URL", e);
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()))
        throw new IllegalArgumentException(
            "--etcd entry '" + redacted(entry) + "' must start with http:// or https://");
      if (uri.getRawUserInfo() != null)
        // Never echo the entry: its user info may hold a password.
        throw new IllegalArgumentException(
            "--etcd entry "
                + uri.getScheme()
                + "://…@"
                + uri.getHost()
                + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + " must not carry credentials: use --etcd-user and --etcd-password-file");
      if (uri.getHost() == null || uri.getPort() < 1)
        throw new IllegalArgumentException(
            "--etcd entry '" + entry + "' needs a host and a port, e.g. http://10.0.0.1:2379");
      if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null)
        throw new IllegalArgumentException(
            "--etcd entry '" + entry + "' must be only scheme, host and port");
      if (scheme != null && !scheme.equals(uri.getScheme()))
        throw new IllegalArgumentException(
            "--etcd mixes http and https endpoints: '" + redacted(flag) + "'");
      scheme = uri.getScheme();
      URI clean = URI.create(uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort());
      if (endpoints.contains(clean))
        throw new IllegalArgumentException("--etcd names " + clean + " twice");
      endpoints.add(clean);
    }
    return endpoints;
  }

  /** The flag's text for an error message, any user info ({@code user:password@}) cut out. */
  private static String redacted(String text) {
    return text.replaceAll("://[^/@,]*@", "://…@");
  }
}
