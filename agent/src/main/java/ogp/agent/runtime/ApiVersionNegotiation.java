package ogp.agent.runtime;

/**
 * Chooses the Engine API version to pin the client to, because docker-java 3.7 does not negotiate:
 * the highest version both sides speak, i.e. min(engine's ApiVersion, client's highest), and never
 * below the engine's MinAPIVersion (current engines refuse anything below 1.44; Debian 12's 20.10
 * speaks at most 1.41).
 */
public final class ApiVersionNegotiation {
  private ApiVersionNegotiation() {}

  /**
   * @param engineApi the engine's {@code ApiVersion}, e.g. {@code 1.41}
   * @param engineMin the engine's {@code MinAPIVersion}, may be empty (old engines)
   * @param clientMax the highest version the client library implements
   * @return the version to pin, as {@code major.minor}
   * @throws RuntimeFailure when the two ranges do not overlap
   */
  public static String choose(String engineApi, String engineMin, String clientMax) {
    int[] api = parse(engineApi, "engine ApiVersion");
    int[] max = parse(clientMax, "client version");
    int[] chosen = compare(api, max) <= 0 ? api : max;
    if (engineMin != null
        && !engineMin.isBlank()
        && compare(chosen, parse(engineMin, "engine MinAPIVersion")) < 0) {
      throw new RuntimeFailure(
          "the Docker engine requires API version "
              + engineMin
              + " or newer, but this agent speaks at most "
              + clientMax);
    }
    return chosen[0] + "." + chosen[1];
  }

  private static int[] parse(String version, String what) {
    String[] parts = version == null ? new String[0] : version.trim().split("\\.");
    if (parts.length != 2) {
      throw new RuntimeFailure("unreadable " + what + ": \"" + version + "\"");
    }
    try {
      return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    } catch (NumberFormatException e) {
      throw new RuntimeFailure("unreadable " + what + ": \"" + version + "\"", e);
    }
  }

  private static int compare(int[] a, int[] b) {
    return a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]);
  }
}
