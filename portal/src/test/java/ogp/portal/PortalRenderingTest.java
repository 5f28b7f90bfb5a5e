package ogp.portal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import ogp.reconciler.plan.HealthStatus;
import ogp.reconciler.plan.RolloutStatus;
import ogp.reconciler.plan.SyncStatus;
import ogp.reconciler.watch.WatchKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the pages show, that hostile text is escaped, and that the live signal fires on a change.
 */
class PortalRenderingTest {
  private PortalServer server;
  private PortalServer.Browser admin;

  @BeforeEach
  void start() throws Exception {
    server = new PortalServer(null);
    server.fleet.apps =
        List.of(
            FixedFleet.app(
                "web", "42", SyncStatus.OutOfSync, HealthStatus.Progressing, "h1", "41"));
    server.fleet.hosts = List.of(FixedFleet.host("h1"));
    admin = server.browser().signIn("admin", PortalServer.ADMIN_TOKEN);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void gridShowsVersionsBadgesAndPlannedActions() throws Exception {
    String apps = admin.get("/apps").body();
    assertTrue(apps.contains("OutOfSync") && apps.contains("Progressing"), apps);
    assertTrue(apps.contains("running-version"), apps);
    String app = admin.get("/apps/web").body();
    assertTrue(app.contains("replace web#0 41 -&gt; 42"), "planned actions while out of sync");
  }

  @Test
  void gitTextIsEscapedEverywhere() throws Exception {
    String evil = "<script>alert(1)</script>";
    server.fleet.history =
        List.of(
            FixedFleet.entry("1111222233334444", "<img src=x onerror=alert(1)>", evil, "41", "42"));
    server.fleet.invalid("<b>mallory</b>", evil);
    server.fleet.applied =
        new ogp.reconciler.control.AppliedRevision(
            FixedFleet.commit("bbbb", "x", evil),
            ogp.reconciler.desired.DesiredState.EMPTY,
            FixedFleet.T0);
    for (String page : List.of("/apps", "/apps/web")) {
      String body = admin.get(page).body();
      assertFalse(body.contains("<script>alert"), page);
      assertFalse(body.contains("<img src=x"), page);
      assertFalse(body.contains("<b>mallory"), page);
      assertTrue(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), page);
    }
  }

  @Test
  void invalidRevisionBannerShowsAuthorAndErrors() throws Exception {
    server.fleet.invalid("Mallory", "port 80800 is out of range");
    String body = admin.get("/apps").body();
    assertTrue(body.contains("invalid-banner"));
    assertTrue(
        body.contains("Mallory") && body.contains("apps/web.yaml:3:10: port 80800 is out of range"),
        body);
  }

  @Test
  void appPageShowsAStoppedRolloutAndWhyAHostWaits() throws Exception {
    RolloutStatus failed =
        new RolloutStatus(
            "42",
            RolloutStatus.FAILED,
            1,
            List.of(),
            List.of(),
            List.of("h1"),
            List.of("h0"),
            "version 42 was not healthy within 60s on h0; the rollout stopped with 1 host(s) kept on their version");
    server.fleet.apps =
        List.of(
            FixedFleet.app("web", "42", SyncStatus.OutOfSync, HealthStatus.Degraded, "h1", "41")
                .withRollout(failed));

    String app = admin.get("/apps/web").body();

    assertTrue(app.contains("id=\"app-rollout\"") && app.contains("alert-danger"), app);
    assertTrue(app.contains("Rollout: version 42 was not healthy within 60s on h0"), app);
    assertTrue(
        app.contains("kept on its version: the rollout stopped"),
        "the waiting host says why: " + app);
  }

  @Test
  void unknownAppIs404() throws Exception {
    assertEquals(404, admin.get("/apps/nope").statusCode());
  }

  @Test
  void liveFragmentIsOnlyTheLiveRegion() throws Exception {
    String fragment = admin.get("/apps?fragment=live").body();
    assertFalse(fragment.contains("<html"), fragment);
    assertTrue(fragment.contains("apps-grid"));
  }

  @Test
  void liveStreamSignalsAChangeOfTheApps() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(server.base() + "/live"))
            .header("Accept", "text/event-stream")
            .build();
    HttpResponse<java.io.InputStream> stream =
        admin.client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, stream.statusCode());
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      CompletableFuture<String> signal =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  String line;
                  while ((line = lines.readLine()) != null)
                    if (line.equals("data: apps")) return line; // other topics may come first
                  return null;
                } catch (java.io.IOException e) {
                  return null;
                }
              });
      await("the live stream is open")
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.portal.liveClients() > 0);
      // The server's watch stream carries the change; the page is told to refresh its apps.
      server.hub.sync(
          WatchKind.App,
          Map.of(
              "web",
              FixedFleet.app("web", "42", SyncStatus.Synced, HealthStatus.Healthy, "h1", "42")));
      assertEquals("data: apps", signal.get(10, TimeUnit.SECONDS));
    }
  }
}
