package ogp.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import ogp.protocol.v1.Assignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last assignment the server sent, kept in the agent's data dir so that an agent restarted
 * while the server is unreachable still knows what to keep running (and repairs drift against it).
 * Written atomically; an unreadable file is ignored with a warning, never acted upon.
 */
final class AssignmentStore {
  private static final Logger log = LoggerFactory.getLogger(AssignmentStore.class);

  private final Path file;

  AssignmentStore(Path dataDir) {
    this.file = dataDir.resolve("assignment.pb");
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
      Files.createDirectories(file.getParent());
      Path temp = Files.createTempFile(file.getParent(), ".assignment", ".tmp");
      Files.write(temp, assignment.toByteArray());
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("cannot keep the last assignment in {}: {}", file, e.getMessage());
    }
  }
}
