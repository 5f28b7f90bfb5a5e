package ogp.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ogp.reconciler.plan.HealthStatus;
import ogp.reconciler.plan.SyncStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortalSmokeTest {
  @Test
  void pagesRender() throws Exception {
    try (PortalServer s = new PortalServer(null)) {
      s.fleet.apps = List.of(FixedFleet.app("web", "42", SyncStatus.OutOfSync, HealthStatus.Progressing, "h1", "41"));
      s.fleet.hosts = List.of(FixedFleet.host("h1"));
      var b = s.browser().signIn("admin", PortalServer.ADMIN_TOKEN);
      for (String p : List.of("/apps", "/apps/web", "/hosts", "/events", "/apps?fragment=live")) {
        var r = b.get(p);
        System.out.println(p + " " + r.statusCode() + "\n" + r.body());
        assertEquals(200, r.statusCode(), p);
      }
    }
  }
}
