package ogp.portal;

import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.http.staticfiles.Location;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import ogp.portal.auth.LoginCsrfCookie;
import ogp.portal.auth.LoginThrottle;
import ogp.portal.auth.PortalSession;
import ogp.portal.auth.PortalUser;
import ogp.portal.auth.UserDirectory;
import ogp.portal.changes.FleetChanges;
import ogp.portal.changes.HistoryCache;
import ogp.portal.events.EventFeed;
import ogp.portal.fleet.FleetView;
import ogp.portal.fleet.RevisionConfirmation;
import ogp.portal.live.LiveSignal;
import ogp.portal.view.Ages;
import ogp.portal.view.Assets;
import ogp.portal.view.CommitLine;
import ogp.portal.view.Views;
import ogp.reconciler.auth.Permission;
import ogp.reconciler.watch.WatchHub;
import org.eclipse.jetty.http.HttpCookie;

/**
 * The web portal (SPEC §5.5), served at {@code /} next to the API: pages Apps ({@code /apps}), App
 * ({@code /apps/{app}}), Hosts ({@code /hosts}) and Events ({@code /events}), sign-in ({@code
 * /login}), the change actions of the app page, and the live signal ({@code /live}, server-sent
 * events) that makes open pages fetch their fragment again when the state changes.
 *
 * <p>Policy: every page needs a signed-in user; every form post carries the session's CSRF token
 * and a same-origin {@code Origin}; viewers only read, deployers change versions and state and roll
 * back, admins also place apps on hosts and confirm a revision held because it would remove many
 * containers ({@code POST /revision/confirm}, the held banner's Confirm button). A server-side
 * session exists only after a successful sign-in; the user is checked again on every request. The
 * session cookie is {@code OGP_SESSION}, HttpOnly, SameSite=Lax, Secure over HTTPS (or always with
 * {@link PortalSettings#secureCookies()}), 8 hours idle and 12 hours at most ({@link
 * PortalSettings}). Sign-ins are rate-limited ({@link ogp.portal.auth.LoginThrottle}). Every change
 * is a commit authored by the signed-in user. Bootstrap and htmx come from WebJars on the classpath
 * ({@code /webjars}), the portal's own script and stylesheet from {@code /static}; nothing is
 * loaded from another site.
 */
public final class PortalRoutes implements AutoCloseable {
  /** Where the portal's own script and stylesheet are on the classpath. */
  static final String STATIC_DIRECTORY = "/ogp/portal/static";

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PortalRoutes.class);
  private static final java.util.regex.Pattern SHA =
      java.util.regex.Pattern.compile("[0-9a-f]{40}");
  private static final int MAX_LIVE_CLIENTS = 500;

  private final FleetView fleet;
  private final Views views = new Views();
  private final Assets assets = Assets.fromClasspath();
  private final Layout layout;
  private final AppsPage appsPage;
  private final AppPage appPage;
  private final HostsPage hostsPage;
  private final EventsPage eventsPage;
  private final LoginRoutes login;
  private final ActionRoutes actions;
  private final LiveSignal live;
  private final RevisionConfirmation confirmation;
  private final PortalSettings settings;
  private final PortalSession sessions;
  private final Gate gate;
  private final AtomicInteger openSessions = new AtomicInteger();

  /**
   * @param fleet what the pages show ({@link FleetView#of} the reconciler)
   * @param users who may sign in
   * @param changes the commit-producing changes and app histories
   * @param events the events page's feed
   * @param watch the server's watch stream, which drives the pages' live updates
   * @param settings session lifetimes, cookie security and sign-in limits
   * @param confirmation applies a held revision when an admin confirms it (the held banner's
   *     Confirm button)
   */
  public PortalRoutes(
      FleetView fleet,
      UserDirectory users,
      FleetChanges changes,
      EventFeed events,
      WatchHub watch,
      Clock clock,
      PortalSettings settings,
      RevisionConfirmation confirmation) {
    this.fleet = fleet;
    this.confirmation = confirmation;
    this.settings = settings;
    this.sessions = new PortalSession(users, clock, settings.sessionLifetime());
    this.gate = new Gate(sessions);
    Ages ages = new Ages(clock);
    HistoryCache history =
        new HistoryCache(changes, () -> fleet.applied().map(r -> r.revision()).orElse(null));
    this.layout = new Layout(fleet, assets, ages);
    this.appsPage = new AppsPage(history, ages);
    this.appPage = new AppPage(history, ages);
    this.hostsPage = new HostsPage(ages);
    this.eventsPage = new EventsPage(events, ages);
    this.login =
        new LoginRoutes(
            users,
            sessions,
            LoginCsrfCookie.withRandomKey(clock, settings.secureCookies()),
            new LoginThrottle(settings.loginLimits(), clock),
            views,
            assets);
    this.actions = new ActionRoutes(changes, views, assets);
    this.live = new LiveSignal(watch, MAX_LIVE_CLIENTS);
  }

  /**
   * Adds the portal's routes, static files and session cookie settings to a Javalin configuration.
   */
  public void register(JavalinConfig config) {
    StaticFileMounts.keep();
    config.staticFiles.enableWebjars();
    config.staticFiles.add(
        files -> {
          files.hostedPath = "/static";
          files.directory = STATIC_DIRECTORY;
          files.location = Location.CLASSPATH;
        });
    config.jetty.modifyServletContextHandler(
        handler -> {
          var sessions = handler.getSessionHandler();
          sessions.setSessionCookie("OGP_SESSION");
          sessions.setHttpOnly(true);
          sessions.setSameSite(HttpCookie.SameSite.LAX);
          sessions.setMaxInactiveInterval((int) settings.sessionIdle().toSeconds());
          // Behind a TLS-terminating proxy the request looks like plain HTTP: Secure regardless.
          if (settings.secureCookies()) sessions.setSecureCookies(true);
          sessions.addEventListener(
              new HttpSessionListener() {
                @Override
                public void sessionCreated(HttpSessionEvent se) {
                  openSessions.incrementAndGet();
                }

                @Override
                public void sessionDestroyed(HttpSessionEvent se) {
                  openSessions.decrementAndGet();
                }
              });
        });
    RoutesConfig routes = config.routes;
    routes.get("/", ctx -> ctx.redirect("/apps"));
    login.register(routes);
    routes.get("/apps", gate.page(this::apps));
    routes.get("/apps/{app}", gate.page(this::app));
    routes.get("/hosts", gate.page(this::hosts));
    routes.get("/events", gate.page(this::events));
    actions.register(routes, gate);
    routes.post(
        "/revision/confirm", gate.form(Permission.CONFIRM_REVISION.needs(), this::confirmHeld));
    routes.before(
        "/live",
        ctx -> {
          if (sessions.user(ctx).isEmpty()) throw new UnauthorizedResponse("sign in first");
        });
    routes.sse("/live", live::join);
  }

  private void apps(Context ctx, PortalUser user) {
    Map<String, Object> model = layout.model(ctx, user, "apps");
    model.put("grid", appsPage.grid(fleet.apps(), fleet.hosts()));
    views.pageOrLive(ctx, "apps", model);
  }

  private void app(Context ctx, PortalUser user) {
    String name = ctx.pathParam("app");
    Map<String, Object> model = layout.model(ctx, user, "apps");
    var detail = appPage.detail(name, fleet.app(name), fleet.desired(name), fleet.hosts(), user);
    if (detail.isEmpty()) {
      ctx.status(404);
      model.put("missing", name);
      views.page(ctx, "missing", model);
      return;
    }
    model.put("app", detail.get());
    views.pageOrLive(ctx, "app", model);
  }

  private void hosts(Context ctx, PortalUser user) {
    Map<String, Object> model = layout.model(ctx, user, "hosts");
    model.put("hosts", hostsPage.rows(fleet.hosts()));
    views.pageOrLive(ctx, "hosts", model);
  }

  private void events(Context ctx, PortalUser user) {
    Map<String, Object> model = layout.model(ctx, user, "events");
    model.put("events", eventsPage.rows());
    views.pageOrLive(ctx, "events", model);
  }

  /**
   * The held banner's Confirm: applies exactly the revision the form names if it is still the held
   * one, and returns to the Apps page with what happened.
   */
  private void confirmHeld(Context ctx, PortalUser user) {
    String revision = ctx.formParam("revision");
    if (revision == null || !SHA.matcher(revision).matches()) {
      ctx.status(400)
          .contentType("text/plain; charset=utf-8")
          .result("Refused: the form names no revision (a full commit sha)\n");
      return;
    }
    String shortSha = CommitLine.shortSha(revision);
    if (confirmation.confirm(revision, user.name())) {
      log.warn("portal: {} confirmed the held revision {}", user.name(), revision);
      Layout.flash(
          ctx,
          "Confirmed revision " + shortSha + " as " + user.name() + ": it is being applied.",
          false);
    } else {
      Layout.flash(
          ctx,
          "Revision "
              + shortSha
              + " is no longer held (a newer commit replaced it, or it was applied): nothing was"
              + " applied.",
          true);
    }
    ctx.redirect("/apps", io.javalin.http.HttpStatus.SEE_OTHER);
  }

  /** Number of server-side sessions that exist now: signed-in browsers (for tests and metrics). */
  public int openSessions() {
    return openSessions.get();
  }

  /** Number of open live streams (for tests and metrics). */
  public int liveClients() {
    return live.clientCount();
  }

  @Override
  public void close() {
    live.close();
  }
}
