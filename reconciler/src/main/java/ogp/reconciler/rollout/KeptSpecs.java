package ogp.reconciler.rollout;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.ContainerStatus;
import ogp.reconciler.desired.App;
import ogp.reconciler.desired.DesiredStateReader;
import ogp.reconciler.desired.FileResult;
import ogp.reconciler.plan.AssignmentBuilder;
import ogp.reconciler.source.GitSourceException;
import ogp.reconciler.source.RevisionFiles;
import ogp.reconciler.source.Snapshot;
import org.eclipse.jgit.lib.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spec of a container an agent runs, rebuilt from Git, so a host that waits for a rollout can
 * be sent exactly what it runs. The container reports the revision its spec came from; the app is
 * read at that revision (first from the file it is in now, else from the whole tree) and its spec
 * rebuilt; it is used only when its hash equals the one the container reports, so a spec that
 * cannot be rebuilt exactly is never sent in its place. Git is read as {@link RevisionFiles} reads
 * it (its filter, its size limit): a file it refuses gives no spec.
 *
 * <p>Nothing is kept but a bounded cache, so a restarted server finds the same specs. Called by the
 * reconcile worker only; reads objects, never the network.
 */
final class KeptSpecs {
  private static final Logger log = LoggerFactory.getLogger(KeptSpecs.class);
  private static final int CACHED = 256;

  private final RevisionFiles files;
  private final DesiredStateReader reader = new DesiredStateReader();
  private final Map<String, Optional<App>> apps =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<App>> eldest) {
          return size() > CACHED;
        }
      };

  KeptSpecs(RevisionFiles files) {
    this.files = files;
  }

  /** The spec {@code running} was made from, if Git still tells it exactly. */
  Optional<ContainerSpec> specOf(App now, ContainerStatus running) {
    String revision = running.getRevision();
    if (revision.isEmpty() || running.getSpecHash().isEmpty()) return Optional.empty();
    Optional<App> then =
        apps.computeIfAbsent(now.name() + "@" + revision, k -> read(now, revision));
    return then.map(app -> AssignmentBuilder.spec(app, running.getInstance(), revision))
        .filter(spec -> spec.getSpecHash().equals(running.getSpecHash()));
  }

  private Optional<App> read(App now, String revision) {
    try {
      ObjectId commit = files.repository().resolve(revision + "^{commit}");
      if (commit == null) return Optional.empty();
      Optional<App> inSameFile =
          files
              .file(commit, now.source().file())
              .flatMap(bytes -> find(now.name(), now.source().file(), bytes));
      if (inSameFile.isPresent()) return inSameFile;
      // Moved since: look through the whole tree of that revision.
      Snapshot snapshot = files.snapshotAt(commit.name());
      for (Map.Entry<String, byte[]> file : snapshot.files().entrySet()) {
        Optional<App> found = find(now.name(), file.getKey(), file.getValue());
        if (found.isPresent()) return found;
      }
      return Optional.empty();
    } catch (IOException | GitSourceException e) {
      log.warn("cannot read {} at revision {}: {}", now.name(), revision, e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<App> find(String name, String file, byte[] content) {
    FileResult result = reader.readFile(file, content);
    return result.apps().stream().filter(a -> a.name().equals(name)).findFirst();
  }
}
