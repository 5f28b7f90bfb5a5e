package ogp.bench.report;

import java.util.ArrayList;
import java.util.List;

/** The issue-8 table as Markdown, in the order rows were added. */
public final class ResultTable {
  private final List<Measurement> rows = new ArrayList<>();

  public synchronized void add(Measurement m) {
    rows.add(m);
  }

  public synchronized List<Measurement> rows() {
    return List.copyOf(rows);
  }

  public synchronized String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("| # | measure | target on this 2-core machine | measured | verdict | notes |\n");
    out.append("|---|---|---|---|---|---|\n");
    for (Measurement m : rows) {
      out.append("| ")
          .append(m.number())
          .append(" | ")
          .append(m.measure())
          .append(" | ")
          .append(m.target())
          .append(" | ")
          .append(m.measured())
          .append(" | ")
          .append(m.verdict())
          .append(" | ")
          .append(m.note() == null ? "" : m.note())
          .append(" |\n");
    }
    return out.toString();
  }
}
