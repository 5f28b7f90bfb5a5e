package ogp.portal.view;

/** A commit as one line: short sha (full sha in the tooltip), author, subject, age. */
public record CommitLine(String sha, String shortSha, String author, String subject, String age, String exactTime) {
  public static String shortSha(String sha) {
    return sha == null ? "" : sha.length() > 8 ? sha.substring(0, 8) : sha;
  }
}
