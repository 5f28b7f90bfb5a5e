package ogp.portal.view;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * URLs of the WebJars the pages load (served by Javalin from the classpath under {@code /webjars};
 * no CDN). The versions come from the WebJars' own Maven metadata, so a version bump in the pom is
 * the only edit.
 */
public record Assets(String bootstrapCss, String bootstrapJs, String htmxJs) {

  public static Assets fromClasspath() {
    String bootstrap = version("org.webjars", "bootstrap");
    String htmx = version("org.webjars.npm", "htmx.org");
    return new Assets(
        "/webjars/bootstrap/" + bootstrap + "/css/bootstrap.min.css",
        "/webjars/bootstrap/" + bootstrap + "/js/bootstrap.bundle.min.js",
        "/webjars/htmx.org/" + htmx + "/dist/htmx.min.js");
  }

  private static String version(String group, String artifact) {
    String path = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null)
        throw new IllegalStateException(
            "WebJar " + group + ":" + artifact + " is not on the classpath");
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
