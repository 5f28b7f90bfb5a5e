package ogp.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ogp.protocol.files.OwnerOnlyFile;
import ogp.reconciler.auth.Role;
import ogp.reconciler.auth.TokenStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ogp tokens}: the server's API and join tokens in {@code <data-dir>/tokens.json}, where
 * only their hashes are kept. A new token is printed once, alone on standard output (so {@code
 * T=$(ogp tokens create ...)} works), and cannot be shown again. A running server sees every change
 * without a restart. Rotating {@code join}, {@code admin} or {@code viewer} also rewrites its
 * hand-over file ({@code <data-dir>/join-token} ...) with the new token, mode 0600.
 */
@Command(
    name = "tokens",
    mixinStandardHelpOptions = true,
    description =
        "Creates, lists, rotates and revokes the server's API and join tokens (stored hashed).",
    subcommands = {
      TokensCommand.Create.class,
      TokensCommand.ListTokens.class,
      TokensCommand.Revoke.class,
      TokensCommand.Rotate.class
    })
final class TokensCommand implements Runnable {
  @Spec CommandSpec spec;

  /** The one clock of this command: expiry and grace times, and the store's own. */
  private static final Clock CLOCK = Clock.systemUTC();

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: create, list, revoke or rotate");
  }

  /** The data dir option every subcommand shares, and opening the store it holds. */
  static final class DataDir {
    @Option(
        names = "--data-dir",
        defaultValue = ".ogp",
        description = "The server's data dir, holding tokens.json (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    TokenStore store() {
      TokenStore store = TokenStore.open(dataDir, CLOCK);
      if (!store.exists()) {
        throw new CommandFailure(
            "no token store in " + dataDir + "; start the server once with --data-dir " + dataDir);
      }
      return store;
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Creates a named API (or join) token and prints it once.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin DataDir dir = new DataDir();

    @Option(
        names = "--name",
        required = true,
        description = "The token's name: the Ogp-Actor of its changes, e.g. jenkins.")
    String name;

    @Option(
        names = "--role",
        required = true,
        converter = RoleConverter.class,
        description =
            "viewer (read), deployer (also deploy, offline, online, rollback, refresh), admin (everything), "
                + "or join (agents' Hello).")
    Role role;

    @CommandLine.Mixin Expiry expiry = new Expiry();

    @Override
    public Integer call() throws IOException {
      Optional<Instant> expiresAt = expiry.at(spec);
      String token = run(() -> dir.store().create(name, role, expiresAt, new SecureRandom()));
      return printed(
          spec,
          token,
          "token '"
              + name
              + "' (role "
              + role.label()
              + ") created"
              + expiresAt.map(e -> ", expires " + e.truncatedTo(ChronoUnit.SECONDS)).orElse(""));
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Lists the valid tokens: name, role, created, expires (never a token or its hash).")
  static final class ListTokens implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin DataDir dir = new DataDir();

    @Override
    public Integer call() {
      java.util.List<TokenStore.TokenInfo> tokens = dir.store().list(); // fails before any output
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%-24s %-9s %-21s %s%n", "NAME", "ROLE", "CREATED", "EXPIRES");
      for (TokenStore.TokenInfo t : tokens) {
        out.printf(
            "%-24s %-9s %-21s %s%n",
            t.name(),
            t.role().label(),
            t.createdAt().truncatedTo(ChronoUnit.SECONDS),
            t.expiresAt().map(e -> e.truncatedTo(ChronoUnit.SECONDS).toString()).orElse("never"));
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Removes every token of NAME; they are refused at once.")
  static final class Revoke implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin DataDir dir = new DataDir();

    @Parameters(
        index = "0",
        paramLabel = "NAME",
        description = "The token's name (see ogp tokens list).")
    String name;

    @Override
    public Integer call() {
      run(
          () -> {
            dir.store().revoke(name);
            return null;
          });
      spec.commandLine().getErr().println("token '" + name + "' revoked");
      return 0;
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description =
          "Gives NAME (join, admin or a created token) a new token, printed once; the old one keeps "
              + "working until the grace period ends.")
  static final class Rotate implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin DataDir dir = new DataDir();

    @Parameters(
        index = "0",
        paramLabel = "NAME",
        description = "join, admin, viewer or a created token's name.")
    String name;

    @Option(
        names = "--grace",
        defaultValue = "1h",
        converter = LifetimeConverter.class,
        description =
            "How long the old token keeps working, e.g. 1h, 30m, 7d or 0s (default: ${DEFAULT-VALUE}).")
    Duration grace;

    @CommandLine.Mixin Expiry expiry = new Expiry();

    @Override
    public Integer call() throws IOException {
      Optional<Instant> expiresAt = expiry.at(spec);
      String token = run(() -> dir.store().rotate(name, grace, expiresAt, new SecureRandom()));
      String handOver = "";
      for (TokenStore.HandOver h : TokenStore.HAND_OVERS) {
        if (h.name().equals(name)) {
          Path file = dir.dataDir.resolve(h.fileName());
          OwnerOnlyFile.write(file, token + "\n");
          handOver = "; written to " + file;
        }
      }
      String old =
          grace.isZero()
              ? "the old one is refused now"
              : "the old one works until "
                  + CLOCK.instant().plus(grace).truncatedTo(ChronoUnit.SECONDS);
      return printed(spec, token, "token '" + name + "' rotated; " + old + handOver);
    }
  }

  @FunctionalInterface
  interface StoreCall<T> {
    T call() throws IOException;
  }

  /**
   * Runs a store change, turning its refusals (bad name: usage; unknown or taken name: failure)
   * into one sentence.
   */
  static <T> T run(StoreCall<T> call) {
    try {
      return call.call();
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(e.getMessage(), 2);
    } catch (IllegalStateException e) {
      throw new CommandFailure(e.getMessage());
    } catch (IOException e) {
      throw new CommandFailure("cannot write the token store: " + OneLineErrors.describe(e));
    }
  }

  private static int printed(CommandSpec spec, String token, String note) {
    spec.commandLine().getOut().println(token);
    spec.commandLine().getOut().flush();
    spec.commandLine().getErr().println(note + ". It is shown only this once.");
    return 0;
  }

  /** The {@code --expires} option of a new token. */
  static final class Expiry {
    @Option(
        names = "--expires",
        converter = LifetimeConverter.class,
        description =
            "Lifetime of the new token, e.g. 30d, 12h or 90m; refused afterwards (default: never expires).")
    Duration lifetime;

    Optional<Instant> at(CommandSpec spec) {
      if (lifetime != null && lifetime.isZero()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--expires must be longer than 0s");
      }
      return Optional.ofNullable(lifetime).map(CLOCK.instant()::plus);
    }
  }

  /** viewer, deployer, admin or join. */
  static final class RoleConverter implements CommandLine.ITypeConverter<Role> {
    @Override
    public Role convert(String value) {
      try {
        return Role.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** A duration flag that also takes whole days ({@code 30d}), since tokens live for days. */
  static final class LifetimeConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern DAYS = Pattern.compile("(\\d{1,5})d");

    @Override
    public Duration convert(String value) {
      Matcher days = DAYS.matcher(value);
      if (days.matches()) return Duration.ofDays(Long.parseLong(days.group(1)));
      try {
        return new DurationConverter().convert(value);
      } catch (CommandLine.TypeConversionException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration (expected e.g. 30d, 12h, 90m or 0s)");
      }
    }
  }
}
