package ogp.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The bearer token of the client commands, and where it comes from: {@code --token} / {@code
 * OGP_TOKEN}, or {@code --token-file} / {@code OGP_TOKEN_FILE} (the token does not show in {@code
 * ps}, nor in a shell's history); never both. Without either, the admin token of a local {@code ogp
 * dev} ({@code .ogp/admin-token} in the working directory or above) is used, but only for a server
 * on this machine (localhost, 127.0.0.0/8, ::1): an admin token found on disk is never sent to
 * another host.
 */
final class TokenOptions {
  @Option(
      names = "--token",
      description =
          "Bearer token. Shows in ps: prefer --token-file (default: for a server on this machine,"
              + " .ogp/admin-token here or above, if present).")
  String token;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "A file holding the bearer token (one line).")
  Path tokenFile;

  /** The token and where it came from, for the hint of a 401. */
  record Bearer(String token, String source) {}

  /**
   * The token to send to {@code server}, or empty when there is none (a server on this machine
   * without a local dev token: its 401 tells the user what to give).
   *
   * @param workingDir where the search for {@code .ogp/admin-token} starts
   * @throws CommandFailure (exit 2) for both options, an unreadable or empty file, or no token for
   *     a server on another machine
   */
  Optional<Bearer> resolve(URI server, Path workingDir) {
    boolean inline = token != null && !token.isBlank();
    if (inline && tokenFile != null) {
      throw new CommandFailure(
          "give either --token (OGP_TOKEN) or --token-file (OGP_TOKEN_FILE), not both", 2);
    }
    if (inline) return Optional.of(new Bearer(token.strip(), "the token given with --token"));
    if (tokenFile != null) {
      return Optional.of(new Bearer(read(tokenFile), "the token in " + tokenFile));
    }
    if (!isLoopback(server)) {
      throw new CommandFailure(
          "no token given for "
              + server
              + ": pass --token-file FILE (or OGP_TOKEN_FILE); the admin token of a local ogp dev"
              + " (.ogp/admin-token) is only used for a server on this machine",
          2);
    }
    return localDevTokenFile(workingDir)
        .map(f -> new Bearer(read(f), "the token in " + f + " (ogp dev's admin token)"));
  }

  /** Said with a 401 when no token was sent. */
  static String noTokenHint(Path workingDir) {
    return "no token was given: pass --token-file FILE (or OGP_TOKEN_FILE) or --token T (no"
        + " .ogp/admin-token of a local ogp dev was found in "
        + workingDir.toAbsolutePath()
        + " or above)";
  }

  private static String read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new CommandFailure("cannot read the token file " + file + ": " + e.getMessage(), 2);
    }
    if (text.isEmpty()) throw new CommandFailure("the token file " + file + " is empty", 2);
    if (text.lines().count() > 1)
      throw new CommandFailure("the token file " + file + " holds more than one line", 2);
    return text;
  }

  /**
   * Whether the URL names this machine: {@code localhost} or a loopback address literal. Other
   * names are not looked up (a name that resolves to 127.0.0.1 today may not tomorrow).
   */
  static boolean isLoopback(URI server) {
    String host = server.getHost();
    if (host == null) return false;
    host = host.toLowerCase(Locale.ROOT);
    if (host.equals("localhost")) return true;
    boolean literal = host.startsWith("[") || host.matches("[0-9.]+");
    if (!literal) return false;
    try {
      return InetAddress.getByName(host.replaceAll("^\\[|]$", "")).isLoopbackAddress();
    } catch (UnknownHostException e) { // a malformed literal: no lookup happens for literals
      return false;
    }
  }

  /**
   * The admin token file of a local {@code ogp dev}: {@code .ogp/admin-token} in the working
   * directory or the nearest directory above it (so commands also work inside {@code
   * .ogp/dev-repo}).
   */
  private static Optional<Path> localDevTokenFile(Path workingDir) {
    for (Path dir = workingDir.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path file = dir.resolve(".ogp").resolve("admin-token");
      if (Files.isReadable(file)) return Optional.of(file);
    }
    return Optional.empty();
  }
}
