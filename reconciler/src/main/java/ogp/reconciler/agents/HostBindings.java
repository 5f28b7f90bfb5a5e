package ogp.reconciler.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import ogp.protocol.files.OwnerOnlyFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which identity holds each host id, and the labels bound with it (Kubernetes' NodeRestriction):
 * the first Hello of an unknown host id (with a valid join token) binds the id to the identity that
 * said it — the SHA-256 of the agent's host key, or of the client certificate's public key under
 * mutual TLS — and to the labels it declared. From then on only that identity may use the id, and
 * only an operator changes the labels ({@link #relabel}) or frees the id ({@link #release}).
 *
 * <p>Kept in {@code <data-dir>/hosts.json} (mode 0600, written atomically), so a restarted server
 * still knows which agent holds which name. Claims run on Netty event loops and touch memory only:
 * a change marks the store dirty and one writer thread writes the whole file at most every {@value
 * #WRITE_DELAY_MILLIS} ms, so 10,000 agents registering at once cost a few writes, not 10,000, and
 * no lock is held during I/O. A write that fails is logged and retried; the bindings in memory stay
 * in force. Without a file ({@link #inMemory()}) bindings last as long as the process.
 *
 * <p>Meant to grow with enrolment and revocation (issue 23): a binding is the place to keep an
 * enrolled certificate or a revoked mark.
 */
public final class HostBindings implements AutoCloseable {
  /** The file name in the server's data dir. */
  public static final String FILE = "hosts.json";

  static final long WRITE_DELAY_MILLIS = 200;
  private static final long RETRY_DELAY_MILLIS = 5_000;
  private static final Logger log = LoggerFactory.getLogger(HostBindings.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * One host id's holder.
   *
   * @param identity {@code key-sha256:<hex>} or {@code cert-sha256:<hex>}, never the key itself
   * @param labels the labels placement uses for this host
   * @param firstSeen when the id was bound
   */
  public record Binding(String identity, Map<String, String> labels, Instant firstSeen) {
    public Binding {
      labels = Map.copyOf(labels);
    }
  }

  /** What a Hello's claim on a host id came to. */
  public sealed interface Claim {
    /** The identity holds the id (now or already); {@code binding} is in force. */
    record Held(Binding binding, boolean isNew) implements Claim {}

    /** Another identity holds the id; nothing changed. */
    record HeldByAnother(Binding binding) implements Claim {}
  }

  private final Map<String, Binding> bindings = new ConcurrentHashMap<>();
  private final Path fileOrNull;
  private final ScheduledExecutorService writer;
  private final AtomicBoolean dirty = new AtomicBoolean();

  private HostBindings(Path fileOrNull) {
    this.fileOrNull = fileOrNull;
    this.writer =
        fileOrNull == null
            ? null
            : Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("ogp-host-bindings", true));
  }

  /** Bindings for the life of this object only (tests, embedded servers). */
  public static HostBindings inMemory() {
    return new HostBindings(null);
  }

  /**
   * The bindings kept in {@code <dataDir>/hosts.json} (none yet if there is no such file).
   *
   * @throws IOException when the file cannot be read or is not a bindings file (the message says
   *     which and what to do): the server must not start and let every name be taken anew
   */
  public static HostBindings open(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    HostBindings store = new HostBindings(file);
    if (Files.exists(file)) {
      try {
        store.read(JSON.readTree(file.toFile()));
      } catch (IOException | RuntimeException e) {
        store.close();
        throw new IOException(
            file
                + " is not a host bindings file ("
                + e.getMessage()
                + "); restore it from a backup, or move it away to let every agent bind its host id"
                + " anew",
            e);
      }
    }
    return store;
  }

  /**
   * The first claim of a host id binds it to {@code identity} and {@code declaredLabels}; a later
   * claim by the same identity is held by the existing binding (whose labels stay); a claim by
   * another identity changes nothing. Touches memory only.
   */
  public Claim claim(
      String hostId, String identity, Map<String, String> declaredLabels, Instant now) {
    boolean[] isNew = {false};
    Binding binding =
        bindings.computeIfAbsent(
            hostId,
            id -> {
              isNew[0] = true;
              return new Binding(identity, declaredLabels, now);
            });
    if (isNew[0]) {
      changed();
      return new Claim.Held(binding, true);
    }
    return binding.identity().equals(identity)
        ? new Claim.Held(binding, false)
        : new Claim.HeldByAnother(binding);
  }

  /** The bound labels of every bound host id, connected or not (a snapshot). */
  public Map<String, Map<String, String>> labels() {
    Map<String, Map<String, String>> all = new HashMap<>();
    bindings.forEach((id, binding) -> all.put(id, binding.labels()));
    return all;
  }

  /** The binding of a host id, if it is bound. */
  public Optional<Binding> binding(String hostId) {
    return Optional.ofNullable(bindings.get(hostId));
  }

  /** Frees a host id: the next Hello for it binds anew. False when it was not bound. */
  public boolean release(String hostId) {
    boolean released = bindings.remove(hostId) != null;
    if (released) changed();
    return released;
  }

  /**
   * Sets and removes labels of a bound host id.
   *
   * @return the new binding, or empty when the host id is not bound
   */
  public Optional<Binding> relabel(String hostId, Map<String, String> set, Set<String> remove) {
    Binding next =
        bindings.computeIfPresent(
            hostId,
            (id, old) -> {
              Map<String, String> labels = new TreeMap<>(old.labels());
              labels.keySet().removeAll(remove);
              labels.putAll(set);
              return new Binding(old.identity(), labels, old.firstSeen());
            });
    if (next != null) changed();
    return Optional.ofNullable(next);
  }

  /** Writes what is not written yet and stops the writer. */
  @Override
  public void close() {
    if (writer == null) return;
    writer.shutdownNow();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (dirty.get()) flush();
  }

  private void changed() {
    if (writer != null && dirty.compareAndSet(false, true)) {
      schedule(WRITE_DELAY_MILLIS);
    }
  }

  private void schedule(long delayMillis) {
    try {
      writer.schedule(this::flush, delayMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // close() writes what is dirty
    }
  }

  /** Writes the whole store; runs on the writer thread (or on close, after it stopped). */
  private void flush() {
    dirty.set(false); // a change from now on schedules another write
    try {
      OwnerOnlyFile.write(fileOrNull, JSON.writeValueAsString(toJson()));
    } catch (IOException | RuntimeException e) {
      log.warn(
          "cannot write {} ({}); the bindings stay in force in memory, retrying in {} s",
          fileOrNull,
          e.toString(),
          RETRY_DELAY_MILLIS / 1000);
      if (dirty.compareAndSet(false, true)) schedule(RETRY_DELAY_MILLIS);
    }
  }

  private ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    ObjectNode hosts = root.putObject("hosts");
    new TreeMap<>(bindings)
        .forEach(
            (hostId, b) -> {
              ObjectNode host = hosts.putObject(hostId);
              host.put("identity", b.identity());
              ObjectNode labels = host.putObject("labels");
              new TreeMap<>(b.labels()).forEach(labels::put);
              host.put("firstSeen", b.firstSeen().toString());
            });
    return root;
  }

  private void read(JsonNode root) {
    if (root.path("version").asInt() != 1 || !root.path("hosts").isObject()) {
      throw new IllegalArgumentException("expected {\"version\": 1, \"hosts\": {...}}");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.get("hosts").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode host = e.getValue();
      Map<String, String> labels = new LinkedHashMap<>();
      host.path("labels")
          .fields()
          .forEachRemaining(l -> labels.put(l.getKey(), l.getValue().asText()));
      String identity = host.path("identity").asText("");
      if (identity.isEmpty()) {
        throw new IllegalArgumentException("host " + e.getKey() + " has no identity");
      }
      bindings.put(
          e.getKey(),
          new Binding(identity, labels, Instant.parse(host.path("firstSeen").asText())));
    }
  }
}
