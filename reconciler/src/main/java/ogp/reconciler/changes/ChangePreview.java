package ogp.reconciler.changes;

/**
 * The commit a change would make right now, without making it: for a confirm dialog.
 *
 * @param base the branch head the preview was computed on
 * @param message the full commit message it would have
 * @param diff the unified diff of the commit ({@code git diff} form); empty when nothing would
 *     change
 */
public record ChangePreview(String base, String message, String diff) {
  /** The subject line of {@link #message()}. */
  public String subject() {
    int n = message.indexOf('\n');
    return n < 0 ? message : message.substring(0, n);
  }

  /** Whether the change would commit anything. */
  public boolean changes() {
    return !diff.isEmpty();
  }
}
