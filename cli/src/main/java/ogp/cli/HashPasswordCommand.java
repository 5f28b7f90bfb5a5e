package ogp.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import ogp.portal.auth.PasswordHashes;
import ogp.reconciler.auth.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ogp hash-password NAME}: reads a password (from the terminal without echo, or the first
 * line of standard input) and prints the users-file entry for it with a bcrypt hash. The password
 * is never an argument, so it stays out of shell history and process lists.
 */
@Command(
    name = "hash-password",
    mixinStandardHelpOptions = true,
    description =
        "Prints a portal users-file entry (bcrypt hash) for a password read from the terminal or stdin.")
final class HashPasswordCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "the user's name")
  String name;

  @Option(names = "--email", description = "the user's e-mail, the author e-mail of their commits")
  String email;

  @Option(
      names = "--role",
      defaultValue = "viewer",
      description = "viewer, deployer or admin (default: ${DEFAULT-VALUE})")
  String role;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Role parsed;
    try {
      parsed = Role.parseUserRole(role);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure("--role: " + e.getMessage(), 2); // bad usage, not a failed operation
    }
    char[] password = read();
    try {
      if (password.length == 0) throw new CommandFailure("the password is empty");
      String hash = PasswordHashes.hash(password);
      PrintWriter out = spec.commandLine().getOut();
      out.println("  - name: " + name);
      out.println("    email: " + (email == null ? name + "@ogp.local" : email));
      out.println("    role: " + parsed.label());
      out.println("    password: \"" + hash + "\"");
      out.flush();
      return 0;
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private static char[] read() throws IOException {
    Console console = System.console();
    if (console != null) {
      char[] first = console.readPassword("Password: ");
      char[] again = console.readPassword("Again: ");
      if (first == null || !Arrays.equals(first, again))
        throw new CommandFailure("the passwords differ");
      return first;
    }
    String line =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    return line == null ? new char[0] : line.toCharArray();
  }
}
