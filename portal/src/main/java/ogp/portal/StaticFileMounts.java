package ogp.portal;

import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * Keeps the jars that hold the portal's static files mounted for the life of the process. Jetty
 * serves classpath files from a jar by mounting it as a zip file system, once per HTTP server, and
 * unmounts it when that server stops; mounting the executable jar (37,000 entries) reads its whole
 * central directory again. A replica that is elected starts a new HTTP server, and that read was a
 * third of its start on two busy cores. Resources of Jetty's root factory are never released, so
 * the jar stays mounted and every later server's mount is a reference count.
 */
final class StaticFileMounts {
  private static boolean kept; // guarded by the class

  private StaticFileMounts() {}

  /** Mounts the jars of the WebJars and of the portal's own static files, once per process. */
  static synchronized void keep() {
    if (kept) return;
    ResourceFactory.root().newClassLoaderResource("META-INF/resources/webjars");
    ResourceFactory.root().newClassLoaderResource(PortalRoutes.STATIC_DIRECTORY);
    kept = true;
  }
}
