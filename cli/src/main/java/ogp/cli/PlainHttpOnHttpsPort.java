package ogp.cli;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.OptionalSslConnectionFactory;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;

/**
 * In front of the HTTPS connector: a connection whose first bytes are a TLS record goes on to TLS;
 * one that speaks plain HTTP gets a plain-text {@code 400 Bad Request} that names the {@code
 * https://} URL to use, and is closed. Nothing of the request is served over plain HTTP.
 *
 * <p>Policy: the URL is built from the request's {@code Host} header when it holds only host and
 * port characters (else from the address the client dialed) and the request path when it is a plain
 * path; so the answer echoes nothing a client could use to inject markup or headers.
 */
final class PlainHttpOnHttpsPort extends OptionalSslConnectionFactory {
  private static final Pattern HOST =
      Pattern.compile("\r\nhost:[ \t]*([A-Za-z0-9.:\\[\\]-]{1,300})[ \t]*\r\n");
  private static final Pattern REQUEST_LINE =
      Pattern.compile("^[A-Z]{1,16} (/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,1000}) HTTP/1\\.[01]\r\n");

  PlainHttpOnHttpsPort(SslConnectionFactory tls) {
    super(tls, null);
  }

  @Override
  protected void otherProtocol(ByteBuffer buffer, EndPoint endPoint) {
    String url = httpsUrl(buffer.duplicate(), endPoint.getLocalSocketAddress());
    String body =
        "This server speaks HTTPS on this port, not plain HTTP: use "
            + url
            + "\n(ogp commands: --server "
            + url.replaceFirst("(https://[^/]*).*", "$1")
            + " --ca-file <the server's pki/ca.crt>)\n";
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    String response =
        "HTTP/1.1 400 Bad Request\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n"
            + "Content-Length: "
            + bytes.length
            + "\r\nConnection: close\r\n\r\n"
            + body;
    Callback.Completable.with(
            done ->
                endPoint.write(done, ByteBuffer.wrap(response.getBytes(StandardCharsets.US_ASCII))))
        .whenComplete((ignored, failure) -> endPoint.close());
  }

  /** The https URL a plain request should have used. */
  static String httpsUrl(ByteBuffer request, SocketAddress dialed) {
    byte[] bytes = new byte[Math.min(request.remaining(), 8192)];
    request.get(bytes);
    String head = new String(bytes, StandardCharsets.ISO_8859_1);
    Matcher host = HOST.matcher(head.toLowerCase(Locale.ROOT));
    String authority;
    if (host.find()) {
      authority = host.group(1);
    } else if (dialed instanceof InetSocketAddress address) {
      String ip = address.getAddress().getHostAddress().replaceFirst("%.*", "");
      authority = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + address.getPort();
    } else {
      authority = "this-server";
    }
    Matcher line = REQUEST_LINE.matcher(head);
    String path = line.find() ? line.group(1) : "/";
    return "https://" + authority + path;
  }
}
