package ogp.reconciler.changes;

/**
 * The message forms of change commits: a subject, an optional body, then the trailers {@code
 * Ogp-App} and {@code Ogp-Actor} in their own paragraph (so {@code git interpret-trailers} and the
 * forges read them).
 */
final class CommitMessage {
  private CommitMessage() {}

  static String of(String subject, String body, String app, Actor actor) {
    StringBuilder out = new StringBuilder(subject).append("\n\n");
    if (!body.isEmpty()) out.append(body).append("\n\n");
    return out.append("Ogp-App: ")
        .append(app)
        .append('\n')
        .append("Ogp-Actor: ")
        .append(actor.displayName())
        .append('\n')
        .toString();
  }

  /**
   * Git's own revert form: {@code Revert "<subject>"}, blank line, {@code This reverts commit
   * <sha>.}, then {@code why} in its own paragraph when given.
   */
  static String revert(String originalSubject, String sha, String why, String app, Actor actor) {
    String body = "This reverts commit " + sha + "." + (why.isBlank() ? "" : "\n\n" + why.strip());
    return of("Revert \"" + originalSubject + "\"", body, app, actor);
  }

  /**
   * Whether a commit message is a rollback the server committed on its own ({@link Actor#OGP}): a
   * revert, or taking offline an app whose first version failed.
   */
  static boolean isAutomaticRollback(String message) {
    return (message.startsWith("Revert \"") || message.startsWith("Take "))
        && message.contains("\nOgp-Actor: " + Actor.OGP.displayName() + "\n");
  }
}
