package ogp.bench.repo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;

/**
 * A real bare Git repository holding a generated desired state, served to the server over {@code
 * file://}. Commits are written in-core (object inserter + DirCache + ref update), so a 20,000-file
 * commit takes a second, not a working-tree checkout.
 *
 * <p>Policy: the repository keeps the full file set of its head in memory, so each later commit
 * rewrites only the files it is given and reuses every other blob.
 */
public final class FleetRepository implements AutoCloseable {
  private static final String BRANCH = "refs/heads/main";
  private static final PersonIdent BENCH = new PersonIdent("OGP Bench", "bench@ogp.local");

  private final Repository repository;
  private final Path directory;
  private final Map<String, ObjectId> blobs = new TreeMap<>();
  private ObjectId head;

  private FleetRepository(Repository repository, Path directory) {
    this.repository = repository;
    this.directory = directory;
  }

  /**
   * Creates an empty bare repository at {@code directory} whose branch {@code main} has no commit
   * yet.
   */
  public static FleetRepository create(Path directory) {
    try {
      Repository repo =
          Git.init()
              .setBare(true)
              .setInitialBranch("main")
              .setGitDir(directory.toFile())
              .call()
              .getRepository();
      return new FleetRepository(repo, directory);
    } catch (GitAPIException e) {
      throw new IllegalStateException("cannot create " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * Packs every object into one pack with a reachability bitmap ({@code git repack -adb}, the C git
   * installed on the machine), as a hosted Git server keeps its repositories after gc: a clone is
   * then served from stored deltas and the bitmap instead of delta-compressing loose objects.
   */
  public void repack() {
    try {
      Process git =
          new ProcessBuilder("git", "-C", directory.toString(), "repack", "-a", "-d", "-b", "-q")
              .redirectErrorStream(true)
              .start();
      String output =
          new String(git.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (git.waitFor() != 0)
        throw new IllegalStateException("git repack failed: " + output.strip());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot run git repack: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while repacking", e);
    }
  }

  /** The URL the server follows. */
  public String url() {
    return directory.toUri().toString();
  }

  /** Writes a commit on {@code main} that sets these files (path → YAML) and keeps all others. */
  public String commit(String message, Map<String, String> files) {
    try (ObjectInserter inserter = repository.newObjectInserter()) {
      for (Map.Entry<String, String> file : files.entrySet()) {
        byte[] bytes = file.getValue().getBytes(StandardCharsets.UTF_8);
        blobs.put(file.getKey(), inserter.insert(Constants.OBJ_BLOB, bytes));
      }
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      for (Map.Entry<String, ObjectId> blob : blobs.entrySet()) { // sorted paths, as DirCache needs
        DirCacheEntry entry = new DirCacheEntry(blob.getKey());
        entry.setFileMode(FileMode.REGULAR_FILE);
        entry.setObjectId(blob.getValue());
        builder.add(entry);
      }
      builder.finish();
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(index.writeTree(inserter));
      if (head != null) commit.setParentId(head);
      commit.setAuthor(BENCH);
      commit.setCommitter(BENCH);
      commit.setMessage(message);
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      RefUpdate update = repository.updateRef(BRANCH);
      update.setExpectedOldObjectId(head == null ? ObjectId.zeroId() : head);
      update.setNewObjectId(id);
      RefUpdate.Result result = update.update();
      if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FAST_FORWARD) {
        throw new IllegalStateException("moving main to " + id.name() + " failed: " + result);
      }
      head = id;
      return id.name();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the whole generated fleet as one commit. */
  public String commit(String message, FleetShape shape) {
    Map<String, String> files = new LinkedHashMap<>();
    for (int f = 0; f < shape.files(); f++) files.put(shape.filePath(f), shape.fileYaml(f));
    return commit(message, files);
  }

  public String head() {
    return head == null ? null : head.name();
  }

  @Override
  public void close() {
    repository.close();
  }
}
