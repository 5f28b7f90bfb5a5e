package ogp.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The one rule for flags from the environment: every option of every command takes its default from
 * {@code OGP_<FLAG>}, the option's longest name without dashes, upper case, {@code -} as {@code _}
 * ({@code --join-token-file} reads {@code OGP_JOIN_TOKEN_FILE}). A flag on the command line wins
 * over the variable; the variable wins over the option's own default. Empty variables count as
 * unset. {@code --help} and {@code --version} are not read from the environment.
 */
final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {
  private final Map<String, String> environment;

  EnvironmentDefaults(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** The variable an option reads, e.g. {@code OGP_HTTP_PORT} for {@code --http-port}. */
  static String variableOf(OptionSpec option) {
    return "OGP_"
        + option.longestName().replaceFirst("^-+", "").toUpperCase(Locale.ROOT).replace('-', '_');
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp())
      return null;
    String value = environment.get(variableOf(option));
    return value == null || value.isEmpty() ? null : value;
  }
}
