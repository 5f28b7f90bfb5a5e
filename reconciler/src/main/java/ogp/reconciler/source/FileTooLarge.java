package ogp.reconciler.source;

/**
 * A desired-state file at a commit is larger than {@link RevisionFiles#MAX_FILE_BYTES}, so it is
 * not read. The commit is at fault, not the fetch: the desired-state source reports it as an
 * invalid revision, with its author, as the parser would have.
 */
public final class FileTooLarge extends GitSourceException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final long size;
  private final transient CommitInfo commit;

  FileTooLarge(String path, long size, CommitInfo commit) {
    super(
        "File "
            + path
            + " at commit "
            + commit.sha()
            + " is larger than "
            + RevisionFiles.MAX_FILE_BYTES
            + " bytes and is not read as desired state.");
    this.path = path;
    this.size = size;
    this.commit = commit;
  }

  /** The file's path in the repository. */
  public String path() {
    return path;
  }

  public long size() {
    return size;
  }

  /** The commit that holds the file. */
  public CommitInfo commit() {
    return commit;
  }
}
