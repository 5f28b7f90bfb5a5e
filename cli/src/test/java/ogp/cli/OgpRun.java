package ogp.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the {@code ogp} command line in this JVM, as a user sees it: exit code, output,
 * errors.
 */
record OgpRun(int exit, String out, String err) {
  static OgpRun ogp(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new OgpRun(exit, out.toString(), err.toString());
  }
}
