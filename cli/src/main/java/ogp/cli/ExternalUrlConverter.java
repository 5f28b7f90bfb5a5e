package ogp.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Reads {@code --external-url}: the address users and forges reach the server at, an absolute
 * {@code http} or {@code https} URL with a host and nothing after the path (no user info, query or
 * fragment), e.g. {@code https://ogp.example.com}. Anything else is a usage error.
 */
final class ExternalUrlConverter implements CommandLine.ITypeConverter<URI> {
  @Override
  public URI convert(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw refused(value);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http"))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) throw refused(value);
    return uri;
  }

  /** Whether the URL is https (so cookies are Secure and responses carry HSTS). */
  static boolean isHttps(URI url) {
    return "https".equalsIgnoreCase(url.getScheme());
  }

  private static CommandLine.TypeConversionException refused(String value) {
    return new CommandLine.TypeConversionException(
        "'"
            + value
            + "' is not an external URL (expected http(s)://host[:port][/path], e.g."
            + " https://ogp.example.com)");
  }
}
