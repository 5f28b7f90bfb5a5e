package ogp.bench.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start {@code ogp server} as its own process: the executable jar as a user runs it, or the
 * same main class from a classpath (the harness tests, which run before the jar is packaged).
 */
public record ServerLaunch(List<String> javaCommand) {
  /** {@code java <jvmOptions> -jar <jar>}. */
  public static ServerLaunch jar(Path jar, List<String> jvmOptions) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(jar.toAbsolutePath().toString());
    return new ServerLaunch(List.copyOf(cmd));
  }

  /** {@code java <jvmOptions> -cp <classpath> ogp.cli.Main}. */
  public static ServerLaunch classpath(String classpath, List<String> jvmOptions) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add("ogp.cli.Main");
    return new ServerLaunch(List.copyOf(cmd));
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
