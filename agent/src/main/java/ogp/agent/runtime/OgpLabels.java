package ogp.agent.runtime;

/**
 * The labels OGP puts on the containers it manages (SPEC §4); the contract with a restarted agent.
 */
public final class OgpLabels {
  private OgpLabels() {}

  public static final String MANAGED = "ogp.managed";
  public static final String APP = "ogp.app";
  public static final String INSTANCE = "ogp.instance";
  public static final String VERSION = "ogp.version";
  public static final String REVISION = "ogp.revision";
  public static final String SPEC_HASH = "ogp.spec-hash";

  /**
   * A scope label (see {@link DockerRuntime}) naming the simulated host a scoped runtime serves:
   * its containers' names end with {@code -<host>}, so several hosts of a test fleet share one
   * engine without their {@code ogp-<app>-<instance>} names colliding. Never set by a real agent.
   */
  public static final String SCOPE_HOST = "ogp.scope-host";
}
