package ogp.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started from the test classpath as its own OS process, so a test can {@code kill -9} it
 * ({@link Process#destroyForcibly()} is SIGKILL on Linux). It runs with the production logging
 * configuration, and its output goes to a file the test can search, e.g. for the log line of an
 * action it wants to interrupt.
 */
final class JavaProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private JavaProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static JavaProcess start(Path log, String mainClass, String... args) throws IOException {
    return start(List.of(), log, mainClass, args);
  }

  /** As {@link #start(Path, String, String...)}, with more options for the JVM. */
  static JavaProcess start(List<String> jvmOptions, Path log, String mainClass, String... args)
      throws IOException {
    String logback = Path.of("src", "main", "resources", "logback.xml").toAbsolutePath().toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-Dlogback.configurationFile=" + logback,
            "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
            "-cp",
            System.getProperty("java.class.path"),
            mainClass));
    command.addAll(List.of(args));
    Files.createDirectories(log.getParent());
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new JavaProcess(p, log);
  }

  /** {@code ogp <args>} as its own process. */
  static JavaProcess ogp(Path log, String... args) throws IOException {
    return start(log, Main.class.getName(), args);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Everything the process printed so far. */
  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The exit code, once the process ended within {@code wait}; empty if it still runs. */
  java.util.OptionalInt exitWithin(java.time.Duration wait) throws InterruptedException {
    return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)
        ? java.util.OptionalInt.of(process.exitValue())
        : java.util.OptionalInt.empty();
  }

  /**
   * SIGTERM ({@link Process#destroy()} on Linux): the process's shutdown hooks run; returns at once
   * ({@link #exitWithin} waits for the end).
   */
  void terminate() {
    process.destroy();
  }

  /** SIGKILL: no shutdown hook, no goodbye to the peer; waits until the process is gone. */
  void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS))
        throw new IllegalStateException("process " + process.pid() + " survived SIGKILL");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * SIGSTOP: the process freezes at once, every thread of it, with its sockets left open (the
   * kernel still accepts connections and data for it), as in a long GC pause or a VM suspended by
   * its host. {@link #close()} kills it all the same.
   */
  void pause() {
    signal("STOP");
  }

  /** SIGCONT: a paused process runs on from where it was frozen. */
  void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        throw new IllegalStateException(
            "kill -"
                + name
                + " "
                + process.pid()
                + " failed: "
                + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) kill();
  }
}
