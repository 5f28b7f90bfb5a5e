package ogp.cli;

import java.time.Duration;
import ogp.reconciler.desired.DurationText;
import picocli.CommandLine;

/** Reads flag values like 500ms, 15s, 2m or 1m30s, with the same rules as the YAML format. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return DurationText.parse(value)
        .orElseThrow(
            () ->
                new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration (" + DurationText.EXPECTED + ")"));
  }

  /** Like {@link DurationConverter}, and a bare {@code 0} for "off". */
  static final class OrZero implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return "0".equals(value.strip()) ? Duration.ZERO : new DurationConverter().convert(value);
    }
  }
}
