package ogp.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import ogp.protocol.files.OwnerOnlyFile;
import ogp.protocol.v1.Assignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last assignment the server sent, kept in the agent's data dir so that an agent restarted
 * while the server is unreachable still knows what to keep running (and repairs drift against it).
 * Written through {@link OwnerOnlyFile} (atomic, forced to the disk, mode 0600: it holds the apps'
 * environment values); temporary files a crash left are removed when the store is opened, at the
 * agent's start. An unreadable file is ignored with a warning, never acted upon.
 */
final class AssignmentStore {
  private static final Logger log = LoggerFactory.getLogger(AssignmentStore.class);

  private final Path file;

  AssignmentStore(Path dataDir) {
    this.file = dataDir.resolve("assignment.pb");
    try {
      int removed = OwnerOnlyFile.removeLeftovers(dataDir);
      if (removed > 0) log.info("removed {} leftover temporary file(s) in {}", removed, dataDir);
    } catch (IOException e) {
      log.warn("cannot clean leftover temporary files in {}: {}", dataDir, e.getMessage());
    }
  }

  Optional<Assignment> load() {
    if (!Files.exists(file)) return Optional.empty();
    try {
      Assignment a = Assignment.parseFrom(Files.readAllBytes(file));
      return a.getRevision().isEmpty() ? Optional.empty() : Optional.of(a);
    } catch (IOException e) {
      log.warn("ignoring the unreadable last assignment {}: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  void save(Assignment assignment) {
    try {
      OwnerOnlyFile.write(file, assignment.toByteArray());
    } catch (IOException e) {
      log.warn("cannot keep the last assignment in {}: {}", file, e.getMessage());
    }
  }
}
