package ogp.webhook;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.slf4j.LoggerFactory;

/** Captures what the webhook module logs while open, for tests that read the log. */
final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger("ogp.webhook");

  LogCapture() {
    appender.start();
    logger.addAppender(appender);
  }

  /**
   * The formatted lines logged at the default level (INFO or above) that mention the text, e.g. a
   * delivery id.
   */
  List<String> linesAtDefaultLevelMentioning(String text) {
    return List.copyOf(appender.list).stream()
        .filter(event -> event.getLevel().isGreaterOrEqual(Level.INFO))
        .map(event -> event.getLevel() + " " + event.getFormattedMessage())
        .filter(line -> line.contains(text))
        .toList();
  }

  /**
   * Asserts that exactly one line at the default level names the delivery (by its quoted id), at
   * the given level and containing every part, and returns it.
   */
  String assertOneLine(String deliveryId, String level, String... parts) {
    List<String> lines = linesAtDefaultLevelMentioning("\"" + deliveryId + "\"");
    Assertions.assertEquals(1, lines.size(), lines.toString());
    String line = lines.get(0);
    Assertions.assertTrue(line.startsWith(level + " "), line);
    for (String part : parts) {
      Assertions.assertTrue(line.contains(part), line);
    }
    return line;
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}
