package ogp.reconciler.desired;

/**
 * The one rule for which files of a tree are desired state, used by every reader: {@code ogp
 * validate} on a working tree, and the Git snapshots behind the reconciler, {@code ogp diff}, the
 * change path and the portal.
 *
 * <p>Policy: a file is desired state when its name ends in {@code .yaml} or {@code .yml} and no
 * segment of its path below the desired-state root starts with a dot. Dotfiles and dot-directories
 * ({@code .gitlab-ci.yml}, {@code .github/workflows/}, {@code .pre-commit-config.yaml}) belong to
 * other tools that share the repository, so committing a CI pipeline next to the apps never stops
 * deploys. Paths use {@code /} as separator.
 *
 * <p>A desired-state file is at most {@link #MAX_FILE_BYTES}: the YAML parser refuses a larger one
 * ({@link DesiredStateReader}), and the Git reader ({@code source.RevisionFiles}) does not read
 * one; either way the revision is invalid with the same message ({@link #tooLarge}).
 */
public final class DesiredStateFiles {
  /** The largest desired-state file, in bytes (1 MiB); the one per-file limit, stated once. */
  public static final int MAX_FILE_BYTES = 1 << 20;

  /** The name of the policy file ({@code kind: Policy}) at the desired-state root (SPEC §8). */
  public static final String POLICY_FILE = "ogp.yaml";

  private DesiredStateFiles() {}

  /**
   * The path of the policy file of the desired-state directory {@code root} ({@code ""} = the
   * repository root), as the readers name files.
   */
  public static String policyFile(String root) {
    return root.isEmpty() ? POLICY_FILE : root + "/" + POLICY_FILE;
  }

  /**
   * What is wrong with a file of {@code size} bytes over {@code limit}, as every reader says it.
   */
  public static String tooLarge(long size, long limit) {
    return "file is " + size + " bytes, more than the limit of " + limit + " bytes";
  }

  /** Whether the file at {@code relativePath} (below the desired-state root) is desired state. */
  public static boolean isDesiredState(String relativePath) {
    return (relativePath.endsWith(".yaml") || relativePath.endsWith(".yml"))
        && mayHoldDesiredState(relativePath);
  }

  /**
   * Whether {@code relativePath} (a file or a directory below the root) is outside every
   * dot-directory and not a dotfile.
   */
  public static boolean mayHoldDesiredState(String relativePath) {
    return !relativePath.startsWith(".") && !relativePath.contains("/.");
  }
}
