package ogp.portal.view;

import io.javalin.http.Context;
import java.util.Map;
import java.util.Set;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.TemplateSpec;
import org.thymeleaf.context.IExpressionContext;
import org.thymeleaf.linkbuilder.StandardLinkBuilder;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * Renders the portal's Thymeleaf templates ({@code ogp/portal/templates/*.html} on the classpath).
 * The signed-in pages share one skeleton ({@code layout.html}); the head, navigation, flash, live
 * region, banner and status badges are fragments under {@code fragments/}. Output escaping is
 * Thymeleaf's default: {@code th:text} and attribute values are escaped, and the templates never
 * use unescaped {@code th:utext}, so Git subjects, error messages and labels can never inject
 * markup. Templates only lay out what the page classes computed.
 *
 * <p>Every page carries headers that keep it out of frames, stop MIME sniffing, keep URLs out of
 * other sites' Referer, and allow scripts only from this server.
 */
public final class Views {
  /** The fragment of every page that live updates replace. */
  public static final String LIVE_FRAGMENT = "live";

  private static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          + "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

  private final TemplateEngine engine = new TemplateEngine();

  public Views() {
    ClassLoaderTemplateResolver resolver =
        new ClassLoaderTemplateResolver(Views.class.getClassLoader());
    resolver.setPrefix("ogp/portal/templates/");
    resolver.setSuffix(".html");
    resolver.setTemplateMode(TemplateMode.HTML);
    resolver.setCharacterEncoding("UTF-8");
    resolver.setCacheable(true);
    engine.setTemplateResolver(resolver);
    // Links (@{/apps/{a}(a=...)}) are rendered without a servlet context: the portal lives at "/",
    // and the link builder URL-encodes every path variable.
    engine.setLinkBuilder(
        new StandardLinkBuilder() {
          @Override
          protected String computeContextPath(
              IExpressionContext context, String base, Map<String, Object> parameters) {
            return "";
          }
        });
  }

  /** The whole page. */
  public void page(Context ctx, String template, Map<String, Object> model) {
    send(ctx, render(template, null, model));
  }

  /** Only the named fragment of the page (what a live update or a dialog needs). */
  public void fragment(Context ctx, String template, String fragment, Map<String, Object> model) {
    send(ctx, render(template, fragment, model));
  }

  /** The page, or only its live fragment when the request asks for {@code ?fragment=live}. */
  public void pageOrLive(Context ctx, String template, Map<String, Object> model) {
    if (LIVE_FRAGMENT.equals(ctx.queryParam("fragment")))
      fragment(ctx, template, LIVE_FRAGMENT, model);
    else page(ctx, template, model);
  }

  String render(String template, String fragment, Map<String, Object> model) {
    org.thymeleaf.context.Context context = new org.thymeleaf.context.Context();
    context.setVariables(model);
    TemplateSpec spec =
        new TemplateSpec(
            template, fragment == null ? null : Set.of(fragment), TemplateMode.HTML, null);
    return engine.process(spec, context);
  }

  private static void send(Context ctx, String html) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("Cache-Control", "no-store");
    ctx.contentType("text/html; charset=utf-8").result(html);
  }
}
