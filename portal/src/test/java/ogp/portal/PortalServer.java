package ogp.portal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import ogp.portal.auth.UserDirectory;
import ogp.portal.changes.FleetChanges;
import ogp.reconciler.auth.Role;
import ogp.reconciler.auth.SecretToken;
import ogp.reconciler.auth.TokenVerifier;
import ogp.reconciler.watch.WatchHub;
import ogp.reconciler.watch.WatchSettings;

/**
 * The portal on a real Javalin server over a {@link FixedFleet}, and a browser-like HTTP client
 * with cookies.
 */
final class PortalServer implements AutoCloseable {
  static final String ADMIN_TOKEN = "test-admin-token-0123456789";
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  final FixedFleet fleet = new FixedFleet();
  final WatchHub hub =
      new WatchHub(
          WatchSettings.defaults(),
          new ObjectMapper(),
          new SimpleMeterRegistry(),
          java.time.Clock.systemUTC());
  final PortalRoutes portal;
  final Javalin http;

  PortalServer(Path usersFile) throws IOException {
    this(usersFile, null, Clock.systemUTC(), PortalSettings.defaults());
  }

  /** With the given changes (e.g. real commits) instead of the fixed fleet's. */
  PortalServer(Path usersFile, FleetChanges changes) throws IOException {
    this(usersFile, changes, Clock.systemUTC(), PortalSettings.defaults());
  }

  PortalServer(Path usersFile, Clock clock, PortalSettings settings) throws IOException {
    this(usersFile, null, clock, settings);
  }

  PortalServer(Path usersFile, FleetChanges changes, Clock clock, PortalSettings settings)
      throws IOException {
    portal =
        new PortalRoutes(
            fleet,
            new UserDirectory(
                TokenVerifier.single("admin", Role.ADMIN, SecretToken.of(ADMIN_TOKEN)), usersFile),
            changes == null ? fleet : changes,
            fleet,
            hub,
            clock,
            settings,
            fleet);
    http =
        Javalin.create(
                config -> {
                  config.startup.showJavalinBanner = false;
                  config.jetty.host = "127.0.0.1";
                  config.jetty.port = 0;
                  portal.register(config);
                })
            .start();
  }

  String base() {
    return "http://127.0.0.1:" + http.port();
  }

  /** A client with its own cookie jar, like one browser. */
  Browser browser() {
    return new Browser();
  }

  @Override
  public void close() {
    portal.close(); // first: ends the live streams, which a graceful stop would wait for
    hub.close();
    http.stop();
  }

  final class Browser {
    final HttpClient client =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    String csrf;

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(base() + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      Matcher m = CSRF.matcher(r.body());
      if (m.find()) csrf = m.group(1);
      return r;
    }

    HttpResponse<String> post(String path, Map<String, String> form, String origin)
        throws IOException, InterruptedException {
      String body =
          form.entrySet().stream()
              .map(
                  e ->
                      URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                          + "="
                          + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
              .collect(Collectors.joining("&"));
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base() + path))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(body));
      if (origin != null) b.header("Origin", origin);
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A same-origin form post with the page's CSRF token. */
    HttpResponse<String> submit(String path, Map<String, String> fields)
        throws IOException, InterruptedException {
      Map<String, String> form = new LinkedHashMap<>(fields);
      form.put("_csrf", csrf);
      return post(path, form, base());
    }

    Browser signIn(String name, String password) throws IOException, InterruptedException {
      get("/login");
      HttpResponse<String> r =
          submit("/login", Map.of("name", name, "password", password, "next", "/apps"));
      if (r.statusCode() != 302)
        throw new AssertionError("login failed: " + r.statusCode() + " " + r.body());
      get("/apps");
      return this;
    }
  }
}
