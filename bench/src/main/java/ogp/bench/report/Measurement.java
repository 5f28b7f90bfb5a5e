package ogp.bench.report;

/**
 * One row of the issue-8 table: what was measured, the target, the value and whether it is met.
 *
 * @param met null when the scenario could not run (the note says why)
 */
public record Measurement(
    String number, String measure, String target, String measured, Boolean met, String note) {
  public static Measurement of(
      String number, String measure, String target, String measured, boolean met, String note) {
    return new Measurement(number, measure, target, measured, met, note);
  }

  public static Measurement notRun(String number, String measure, String target, String why) {
    return new Measurement(number, measure, target, "not run", null, why);
  }

  public String verdict() {
    return met == null ? "n/a" : met ? "met" : "MISSED";
  }
}
