package ogp.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
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

  /** Lifetime of a join token printed as a join command when neither --uses nor --ttl is given. */
  static final Duration DEFAULT_ENROLMENT_TTL = Duration.ofHours(24);

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
      description =
          "Creates a named API (or join) token and prints it once; with --kind join"
              + " --print-join-command, the line an agent host runs to enrol.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin DataDir dir = new DataDir();

    @Option(
        names = "--name",
        description =
            "The token's name: the Ogp-Actor of its changes, e.g. jenkins (join tokens: default"
                + " join-<random>).")
    String name;

    @Option(
        names = "--role",
        converter = RoleConverter.class,
        description =
            "viewer (read), deployer (also deploy, offline, online, rollback, refresh), admin (everything), "
                + "or join (agents' Hello and enrolment).")
    Role role;

    @Option(
        names = "--kind",
        converter = RoleConverter.class,
        description = "The same as --role; --kind join makes a join token for agents.")
    Role kind;

    @Option(
        names = "--uses",
        description =
            "Join tokens: how many agents may enrol with it, e.g. 1 or 50 (default: unlimited).")
    Integer uses;

    @Option(
        names = "--print-join-command",
        description =
            "Join tokens: print the whole 'ogp agent enroll --server HOST:PORT --token TOKEN"
                + " --ca-hash sha256:...' line instead of the token alone.")
    boolean printJoinCommand;

    @Option(
        names = "--server-address",
        paramLabel = "HOST:PORT",
        description =
            "With --print-join-command: the address agents dial (default: the one the server"
                + " recorded in the data dir at its start).")
    String serverAddress;

    @CommandLine.Mixin Expiry expiry = new Expiry();

    @Override
    public Integer call() throws IOException {
      Role chosen = role();
      boolean join = chosen == Role.JOIN;
      if (!join && (uses != null || printJoinCommand || serverAddress != null)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--uses, --print-join-command and --server-address are for join tokens (--kind join)");
      }
      if (uses != null && uses < 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--uses must be at least 1, got " + uses);
      }
      if (serverAddress != null && !printJoinCommand) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--server-address goes with --print-join-command");
      }
      if (name == null && !join) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--name is required (only join tokens have a default name)");
      }
      // Checked before the token exists: a join command that cannot be printed makes no token.
      Optional<JoinEndpoint> endpoint =
          printJoinCommand ? Optional.of(endpoint()) : Optional.empty();
      String tokenName = name != null ? name : "join-" + HexFormat.of().formatHex(randomBytes(4));
      Optional<Instant> expiresAt = expiry.at(spec);
      Optional<Integer> limit = Optional.ofNullable(uses);
      if (printJoinCommand && limit.isEmpty() && expiresAt.isEmpty()) {
        // Enrolment takes bounded tokens only; kubeadm's join tokens live 24 h by default too.
        expiresAt = Optional.of(CLOCK.instant().plus(DEFAULT_ENROLMENT_TTL));
      }
      Optional<Instant> expires = expiresAt;
      String token =
          run(() -> dir.store().create(tokenName, chosen, expires, limit, new SecureRandom()));
      String note =
          "token '"
              + tokenName
              + "' (role "
              + chosen.label()
              + ") created"
              + limit.map(u -> ", " + u + " use(s)").orElse(join ? ", unlimited uses" : "")
              + expiresAt.map(e -> ", expires " + e.truncatedTo(ChronoUnit.SECONDS)).orElse("")
              + (join && limit.isEmpty() && expiresAt.isEmpty()
                  ? " (for plain-link Hellos only: without --uses or --ttl it cannot enrol agents)"
                  : "");
      if (endpoint.isPresent()) {
        return printed(spec, endpoint.get().joinCommand(token), note);
      }
      return printed(spec, token, note);
    }

    private Role role() {
      if (role != null && kind != null && role != kind) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--role and --kind say different things; give one");
      }
      Role chosen = role != null ? role : kind;
      if (chosen == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--role (or --kind) is required: viewer, deployer, admin or join");
      }
      return chosen;
    }

    /** The address and CA pin for the join command: recorded by the server, or the flag's. */
    private JoinEndpoint endpoint() {
      JoinEndpoint recorded =
          JoinEndpoint.read(dir.dataDir)
              .orElseThrow(
                  () ->
                      new CommandFailure(
                          "the server has not recorded where agents enrol in "
                              + dir.dataDir
                              + " ("
                              + JoinEndpoint.FILE
                              + "); start ogp server once with TLS on its agent link"));
      if (serverAddress == null) return recorded;
      int colon = serverAddress.lastIndexOf(':');
      if (colon <= 0 || colon == serverAddress.length() - 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--server-address must be HOST:PORT, got '" + serverAddress + "'");
      }
      return new JoinEndpoint(serverAddress, recorded.caHash());
    }

    private static byte[] randomBytes(int n) {
      byte[] bytes = new byte[n];
      new SecureRandom().nextBytes(bytes);
      return bytes;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Lists the valid tokens: name, role, created, expires, uses left (never a token or its"
              + " hash).")
  static final class ListTokens implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin DataDir dir = new DataDir();

    @Override
    public Integer call() {
      java.util.List<TokenStore.TokenInfo> tokens = dir.store().list(); // fails before any output
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%-24s %-9s %-21s %-21s %s%n", "NAME", "ROLE", "CREATED", "EXPIRES", "USES LEFT");
      for (TokenStore.TokenInfo t : tokens) {
        out.printf(
            "%-24s %-9s %-21s %-21s %s%n",
            t.name(),
            t.role().label(),
            t.createdAt().truncatedTo(ChronoUnit.SECONDS),
            t.expiresAt().map(e -> e.truncatedTo(ChronoUnit.SECONDS).toString()).orElse("never"),
            t.usesLeft()
                .map(u -> u == 0 ? "0 (used up)" : String.valueOf(u))
                .orElse(t.role() == Role.JOIN ? "unlimited" : "-"));
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
        names = {"--expires", "--ttl"},
        converter = LifetimeConverter.class,
        description =
            "Lifetime of the new token, e.g. 30d, 12h or 90m; refused afterwards (default: never"
                + " expires). --ttl is the same.")
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
