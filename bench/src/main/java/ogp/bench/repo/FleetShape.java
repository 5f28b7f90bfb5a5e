package ogp.bench.repo;

import java.util.StringJoiner;

/**
 * The shape of a generated desired state: {@code apps} apps spread over {@code files} files (one
 * YAML document per app, several per file when there are more apps than files), each placed by host
 * list on {@code hostsPerApp} consecutive hosts of {@code hosts} ({@code host-0} …), plus, when
 * {@code fleetWideApp} is set, one app {@code fleet-wide} selected by the label {@code fleet=bench}
 * that every simulated agent carries.
 *
 * <p>Policy: deterministic. The same shape and version give byte-identical files, so a "1-file
 * change" changes exactly one blob.
 */
public record FleetShape(int apps, int hosts, int files, int hostsPerApp, boolean fleetWideApp) {
  /** The label every simulated agent has, matched by the fleet-wide app's selector. */
  public static final String FLEET_LABEL = "fleet";

  public static final String FLEET_VALUE = "bench";
  public static final String FLEET_WIDE_APP = "fleet-wide";
  public static final String FLEET_WIDE_FILE = "apps/fleet-wide.yaml";

  public FleetShape {
    if (apps < 0 || hosts < 1 || files < 1 || hostsPerApp < 1 || hostsPerApp > hosts) {
      throw new IllegalArgumentException(
          "bad fleet shape: "
              + apps
              + " apps, "
              + hosts
              + " hosts, "
              + files
              + " files, "
              + hostsPerApp
              + " hosts per app");
    }
  }

  public static String hostId(int index) {
    return "host-" + index;
  }

  /** The file of app-file number {@code f} (the fleet-wide app lives in its own file). */
  public String filePath(int f) {
    return "apps/" + (f / 1000) + "/file-" + f + ".yaml";
  }

  /** Every app document whose index maps to file {@code f}, at version 1. */
  public String fileYaml(int f) {
    StringBuilder yaml = new StringBuilder();
    for (int app = f; app < apps; app += files) {
      if (yaml.length() > 0) yaml.append("---\n");
      yaml.append(appYaml(app, 1));
    }
    return yaml.toString();
  }

  /** Number {@code app}'s document at {@code version}. */
  public String appYaml(int app, int version) {
    StringJoiner hostList = new StringJoiner(", ", "[", "]");
    int first = (int) ((long) app * hostsPerApp % hosts);
    for (int i = 0; i < hostsPerApp; i++) hostList.add(hostId((first + i) % hosts));
    return "app: app-"
        + app
        + "\n"
        + "image: registry.local/bench/app-"
        + (app % 50)
        + "\n"
        + "version: \""
        + version
        + "\"\n"
        + "hosts: "
        + hostList
        + "\n"
        + "env: {APP_INDEX: \""
        + app
        + "\", LOG_LEVEL: info}\n"
        + "ports: [\""
        + (10000 + app % 50000)
        + ":8080\"]\n"
        + "restart: always\n";
  }

  /** The fleet-wide app at {@code version}: on every agent carrying {@link #FLEET_LABEL}. */
  public static String fleetWideYaml(String version) {
    return "app: "
        + FLEET_WIDE_APP
        + "\n"
        + "image: busybox\n"
        + "version: \""
        + version
        + "\"\n"
        + "selector: {"
        + FLEET_LABEL
        + ": "
        + FLEET_VALUE
        + "}\n"
        + "command: [\"sleep\", \"3600\"]\n";
  }
}
