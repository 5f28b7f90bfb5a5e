package ogp.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * What {@code ogp server} secures by itself, from its {@code --bind} address and {@code
 * --insecure-agent-link} alone: the one place of that rule.
 *
 * <p>Policy: a server only this machine can reach — bound to a loopback address ({@code
 * 127.0.0.0/8}, {@code ::1}) or {@code localhost} — keeps plain TCP and plain HTTP, as {@code ogp
 * dev} and scripted tests need. Any other bind, the wildcards {@code 0.0.0.0} and {@code ::}
 * included, gets TLS on the agent port with mutual TLS required for the Hello, and HTTPS. A bind
 * given as another name is not looked up: it counts as reachable from elsewhere. {@code
 * --insecure-agent-link} keeps the agent port plain beyond loopback (and is warned about); it
 * changes nothing for HTTP, nor on loopback.
 *
 * @param agentLinkTls TLS with mutual TLS required for the Hello on the agent port
 * @param https HTTPS on the HTTP port
 * @param warnInsecureAgentLink the agent port is plain beyond loopback because the operator said so
 */
record SecureByDefault(boolean agentLinkTls, boolean https, boolean warnInsecureAgentLink) {

  static SecureByDefault decide(String bind, boolean insecureAgentLink) {
    if (loopbackOnly(bind)) return new SecureByDefault(false, false, false);
    return insecureAgentLink
        ? new SecureByDefault(false, true, true)
        : new SecureByDefault(true, true, false);
  }

  /** Whether {@code bind} lets only this machine connect (no DNS lookup). */
  static boolean loopbackOnly(String bind) {
    String host = bind.strip().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    if (host.equals("localhost")) return true;
    boolean literal =
        host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || host.matches("[0-9a-f:.]*:[0-9a-f:.]*");
    if (!literal) return false;
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) { // a malformed literal: nothing was looked up
      return false;
    }
  }
}
