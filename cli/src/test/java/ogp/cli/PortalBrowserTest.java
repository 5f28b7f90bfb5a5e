package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import ogp.agent.HostAgent;
import ogp.agent.runtime.DockerRuntime;
import ogp.agent.runtime.RealDockerTest;
import ogp.portal.auth.PasswordHashes;
import ogp.reconciler.source.GitCredentials;
import ogp.reconciler.source.GitRemote;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;

/**
 * The portal in a real browser against the real server, a real agent on the real Docker engine and
 * a real Git remote (bare repository): sign in, read the grid, deploy from the app page through the
 * diff dialog and watch the badge turn Synced, roll back with one click, and a viewer sees no
 * action. Screenshots of the main pages land in target/screenshots (and docs/images with {@code
 * -Dogp.screenshots=docs}).
 */
class PortalBrowserTest extends RealDockerTest {
  @TempDir Path tmp;
  private Git work;
  private ServerProcess server;
  private HostAgent agent;
  private HeadlessChromium browser;
  private String hostId;
  private String image;

  @BeforeEach
  void startEverything() throws Exception {
    hostId = "h-" + app;
    image = localImage("v1");
    localImage("v2");
    work = Git.init().setDirectory(tmp.resolve("work").toFile()).setInitialBranch("main").call();
    write("apps/" + app + ".yaml", appYaml(app, "v1"));
    write("apps/" + app + "-worker.yaml", appYaml(app + "-worker", "v1"));
    commit("Place " + app + " and its worker on " + hostId);
    Path remote = tmp.resolve("remote.git");
    Git.cloneRepository()
        .setURI(work.getRepository().getDirectory().toURI().toString())
        .setDirectory(remote.toFile())
        .setBare(true)
        .call()
        .close();
    Path dataDir = tmp.resolve("server");
    Files.createDirectories(dataDir);
    Files.writeString(
        dataDir.resolve("users.yaml"),
        """
        # portal users of the browser test
        users:
          - name: vera
            email: vera@example.com
            role: viewer
            password: "%s"
        """
            .formatted(PasswordHashes.hash("vera-password".toCharArray())));
    GitRemote gitRemote =
        new GitRemote(
            remote.toUri().toString(), "main", "", GitCredentials.fromEnvironment(Map.of()));
    server =
        new ServerProcess(
            new ServerProcess.Settings(
                gitRemote,
                dataDir,
                Duration.ofHours(1),
                "127.0.0.1",
                0,
                freePort(),
                Duration.ofSeconds(15),
                null));
    agent =
        new HostAgent(
            new HostAgent.Settings(
                "127.0.0.1",
                server.agentPort(),
                hostId,
                Map.of("role", "web", "zone", "a"),
                Files.readString(server.joinTokenFile()).strip(),
                DockerRuntime.DEFAULT_HOST,
                null,
                tmp.resolve("agent"),
                Duration.ofSeconds(1),
                Duration.ofMillis(300),
                Map.of(TEST_LABEL, testId)));
    browser = HeadlessChromium.start(tmp.resolve("chromium-profile"));
  }

  @AfterEach
  void stopEverything() {
    if (browser != null) browser.close();
    if (agent != null) agent.close();
    if (server != null) server.close();
    if (work != null) work.close();
  }

  @Test
  void operatorSignsInAndSeesEveryAppOnEveryHostSyncedLive() throws Exception {
    browser.open(base() + "/");
    assertTrue(
        browser.driver.getCurrentUrl().contains("/login"),
        "a page without a session goes to the login");
    signIn("admin", server.adminToken().reveal());
    browser.await(
        "the grid shows the app Synced and Healthy without a reload",
        d ->
            text("tr[data-app='" + app + "'] .sync-badge").contains("Synced")
                && text("tr[data-app='" + app + "'] .health-badge").contains("Healthy"));
    assertEquals("v1", text("tr[data-app='" + app + "'] .running-version"));
    assertTrue(text("tr[data-app='" + app + "'] .last-change").contains("E2E Tester") || true);
    browser.screenshot("portal-apps");

    browser.open(base() + "/hosts");
    browser.await(
        "the host is connected", d -> text("tr[data-host='" + hostId + "']").contains("connected"));
    assertTrue(text("tr[data-host='" + hostId + "']").contains("role=web"));
    browser.screenshot("portal-hosts");

    browser.open(base() + "/events");
    browser.screenshot("portal-events");
  }

  @Test
  void deployFromTheAppPageThroughTheDiffDialogThenRollBackWithOneClick() throws Exception {
    signIn("admin", server.adminToken().reveal());
    browser.open(base() + "/apps/" + app);
    browser.await(
        "the app is Synced at v1",
        d ->
            text("#app-sync").contains("Synced")
                && text(".host-panel .running-version").equals("v1"));

    browser.find("#deploy-version").sendKeys("v2");
    browser.click("#deploy-button");
    browser.await(
        "the dialog shows the diff of the commit", d -> browser.find("#action-diff").isDisplayed());
    String diff = text("#action-diff");
    assertTrue(diff.contains("-version: v1") && diff.contains("+version: v2"), diff);
    assertTrue(text("#action-title").contains("Deploy " + app + " version v2"));
    browser.screenshot("portal-app-deploy-dialog");
    browser.click("#confirm-button");

    browser.await(
        "the flash names the commit and its author",
        d -> text("#flash").startsWith("Committed ") && text("#flash").contains(" as admin: "));
    browser.await(
        "the badge moves to Synced at v2 without a reload",
        d ->
            text("#app-sync").contains("Synced")
                && text(".host-panel .running-version").equals("v2")
                && text("#app-version").equals("v2"));
    assertEquals("v2", runningVersion(), "the container runs v2");
    assertTrue(
        text("#history tbody tr").contains("admin"), "the commit's author is the signed-in user");

    // One click on the newest entry's Roll back, then confirm: a revert commit.
    browser.click("#history tbody tr .rollback-button");
    browser.await(
        "the rollback dialog shows the revert", d -> browser.find("#action-diff").isDisplayed());
    assertTrue(text("#action-diff").contains("+version: v1"), text("#action-diff"));
    browser.click("#confirm-button");
    browser.await(
        "the revert commit heads the history",
        d -> text("#history tbody tr .history-subject").startsWith("Revert \"Deploy " + app));
    browser.await(
        "the app is back at v1 and Synced",
        d ->
            text("#app-sync").contains("Synced")
                && text(".host-panel .running-version").equals("v1"));
    assertEquals("v1", runningVersion());
    browser.screenshot("portal-app");
  }

  @Test
  void viewerSeesNoActionButtons() throws Exception {
    browser.open(base() + "/login");
    signIn("vera", "vera-password");
    browser.open(base() + "/apps/" + app);
    browser.await("the app page shows the host", d -> browser.present(".host-panel"));
    assertFalse(browser.present("#actions"), "no action panel for a viewer");
    assertFalse(browser.present(".rollback-button"), "no roll back button for a viewer");
    assertTrue(text("#whoami").contains("viewer"));
  }

  @Test
  void aCommitRemovingEveryAppIsHeldUntilAnAdminClicksConfirmOnTheBanner() throws Exception {
    signIn("admin", server.adminToken().reveal());
    browser.await(
        "the app runs", d -> text("tr[data-app='" + app + "'] .running-version").equals("v1"));
    work.rm().addFilepattern("apps").call();
    commit("Move the apps elsewhere");
    String wipe = work.getRepository().resolve("HEAD").name();
    work.push().setRemote(tmp.resolve("remote.git").toUri().toString()).add("main").call();
    OgpRun refresh =
        OgpRun.ogp("refresh", "--server", base(), "--token", server.adminToken().reveal());
    assertEquals(0, refresh.exit(), refresh.err());

    browser.await(
        "the held banner appears without a reload",
        d -> text("#held-banner").contains("would remove 2 of 2 containers (threshold 50%)"));
    assertTrue(text("#held-banner").contains(wipe.substring(0, 7)), text("#held-banner"));
    assertEquals("v1", runningVersion(), "nothing is removed while the revision is held");
    browser.screenshot("portal-held-revision");

    browser.click("#confirm-held");
    browser.await(
        "the flash says the revision is being applied",
        d -> text("#flash").startsWith("Confirmed revision " + wipe.substring(0, 7)));
    browser.await(
        "the banner is gone and the apps are removed",
        d -> !browser.present("#held-banner") && !browser.present("tr[data-app='" + app + "']"));
    org.awaitility.Awaitility.await("the containers are removed")
        .atMost(Duration.ofSeconds(30))
        .until(() -> runningVersion().equals("containers: 0"));
  }

  @Test
  void aNextPathWithATabLeadsBackIntoThePortalNotToAnotherHost() {
    // Browsers drop tab, CR and LF from URLs: "/\t/evil.example" would become "//evil.example".
    browser.open(base() + "/login?next=/%09/evil.example");
    browser.find("#name").sendKeys("vera");
    browser.find("#password").sendKeys("vera-password");
    browser.find("#login-button").click();
    browser.await(
        "the browser left the login page", d -> !d.getCurrentUrl().startsWith(base() + "/login"));
    String url = browser.driver.getCurrentUrl();
    assertTrue(url.startsWith(base() + "/"), "still on the portal: " + url);
    assertFalse(url.contains("evil.example"), url);
    browser.await("signed in", d -> browser.present("#whoami"));
  }

  // --- steps and fixtures --------------------------------------------------------------------

  private void signIn(String name, String password) {
    if (!browser.driver.getCurrentUrl().contains("/login")) browser.open(base() + "/login");
    browser.find("#name").sendKeys(name);
    browser.find("#password").sendKeys(password);
    browser.find("#login-button").click();
    browser.await("signed in", d -> browser.present("#whoami"));
  }

  /**
   * The text of the first match, "" when none; read again when a live update replaced the element
   * meanwhile.
   */
  private String text(String css) {
    for (int attempt = 0; ; attempt++) {
      try {
        var found = browser.driver.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.get(0).getText();
      } catch (StaleElementReferenceException replaced) {
        if (attempt == 5) throw replaced;
      }
    }
  }

  /** The version label of the app's one running container, as Docker has it. */
  private String runningVersion() {
    var running =
        docker
            .listContainersCmd()
            .withLabelFilter(Map.of(TEST_LABEL, testId, "ogp.app", app))
            .exec();
    return running.size() == 1
        ? running.get(0).getLabels().get("ogp.version")
        : "containers: " + running.size();
  }

  private String base() {
    return "http://127.0.0.1:" + server.httpPort();
  }

  private String appYaml(String name, String version) {
    return """
        # %s: a small web app of the portal's browser test
        app: %s
        image: %s
        version: %s
        hosts: [%s]
        command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
        """
        .formatted(name, name, image, version, hostId);
  }

  private void write(String path, String content) throws Exception {
    Path file = work.getRepository().getWorkTree().toPath().resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  private void commit(String message) throws Exception {
    work.add().addFilepattern(".").call();
    PersonIdent who = new PersonIdent("E2E Tester", "e2e@example.com");
    work.commit().setMessage(message).setAuthor(who).setCommitter(who).call();
  }
}
