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
 * <p>Enrolment and revocation: an enrolment binds the host id to the enrolled certificate's key
 * ({@link #claimForEnrolment}) with its labels still open, so the agent's first Hello sets them. An
 * operator {@linkplain #revoke revokes} a host: the host id is marked revoked (every Hello, renewal
 * and enrolment for it is refused) and its identity joins the revoked identities, which stay
 * refused for good — also after {@link #release}, which clears the host's mark so the id can enrol
 * again with a new key. At most {@value #MAX_REVOKED_IDENTITIES} revoked identities are kept; the
 * oldest is forgotten beyond that (an agent certificate that old has long expired under the default
 * 30-day lifetime).
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
  public record Binding(
      String identity, Map<String, String> labels, Instant firstSeen, boolean labelsPending) {
    public Binding {
      labels = Map.copyOf(labels);
    }

    /** A binding whose labels are set. */
    public Binding(String identity, Map<String, String> labels, Instant firstSeen) {
      this(identity, labels, firstSeen, false);
    }
  }

  /** Revoked identities kept at most (the oldest is forgotten beyond). */
  static final int MAX_REVOKED_IDENTITIES = 10_000;

  /** What a Hello's claim on a host id came to. */
  public sealed interface Claim {
    /** The identity holds the id (now or already); {@code binding} is in force. */
    record Held(Binding binding, boolean isNew) implements Claim {}

    /** Another identity holds the id; nothing changed. */
    record HeldByAnother(Binding binding) implements Claim {}
  }

  private final Map<String, Binding> bindings = new ConcurrentHashMap<>();
  private final Map<String, Instant> revokedHosts = new ConcurrentHashMap<>();
  // identity -> when it was revoked; insertion-ordered so the oldest goes first. Guarded by itself.
  private final LinkedHashMap<String, Instant> revokedIdentities = new LinkedHashMap<>();
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
    if (!binding.identity().equals(identity)) {
      return new Claim.HeldByAnother(binding);
    }
    if (binding.labelsPending()) {
      // Enrolled, and this is the first Hello: its labels are the ones bound (as for a new id).
      Binding labelled =
          bindings.computeIfPresent(
              hostId,
              (id, old) ->
                  old.labelsPending() && old.identity().equals(identity)
                      ? new Binding(identity, declaredLabels, old.firstSeen(), false)
                      : old);
      changed();
      return labelled != null && labelled.identity().equals(identity)
          ? new Claim.Held(labelled, false)
          : claim(hostId, identity, declaredLabels, now);
    }
    return new Claim.Held(binding, false);
  }

  /**
   * An enrolment's claim: an unbound host id is bound to {@code identity} with its labels left to
   * the first Hello; a host id bound to the same identity stays as it is; another identity changes
   * nothing and gets {@link Claim.HeldByAnother}.
   */
  public Claim claimForEnrolment(String hostId, String identity, Instant now) {
    boolean[] isNew = {false};
    Binding binding =
        bindings.computeIfAbsent(
            hostId,
            id -> {
              isNew[0] = true;
              return new Binding(identity, Map.of(), now, true);
            });
    if (isNew[0]) changed();
    return binding.identity().equals(identity)
        ? new Claim.Held(binding, isNew[0])
        : new Claim.HeldByAnother(binding);
  }

  /**
   * Revokes a host: its id is refused until {@link #release released}, and the identity that holds
   * it is refused for good.
   *
   * @return the binding that was revoked, or empty when the host id is not bound (nothing changes)
   */
  public Optional<Binding> revoke(String hostId, Instant now) {
    Binding binding = bindings.get(hostId);
    if (binding == null) return Optional.empty();
    revokedHosts.put(hostId, now);
    synchronized (revokedIdentities) {
      revokedIdentities.putIfAbsent(binding.identity(), now);
      while (revokedIdentities.size() > MAX_REVOKED_IDENTITIES) {
        String oldest = revokedIdentities.keySet().iterator().next();
        revokedIdentities.remove(oldest);
      }
    }
    changed();
    return Optional.of(binding);
  }

  /** When the host id was revoked, if it is (and not released since). */
  public Optional<Instant> revokedAt(String hostId) {
    return Optional.ofNullable(revokedHosts.get(hostId));
  }

  /** Whether this identity ({@code cert-sha256:…} or {@code key-sha256:…}) was revoked. */
  public boolean isRevokedIdentity(String identity) {
    synchronized (revokedIdentities) {
      return revokedIdentities.containsKey(identity);
    }
  }

  /** The host ids revoked now (a snapshot). */
  public Set<String> revokedHosts() {
    return Set.copyOf(revokedHosts.keySet());
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

  /**
   * Frees a host id: the next Hello (or enrolment) for it binds anew, and a revoked host id is no
   * longer refused; its revoked identity stays refused. False when it was not bound.
   */
  public boolean release(String hostId) {
    boolean released = bindings.remove(hostId) != null;
    revokedHosts.remove(hostId);
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
              return new Binding(old.identity(), labels, old.firstSeen(), false);
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
              if (b.labelsPending()) host.put("labelsPending", true);
              Instant revoked = revokedHosts.get(hostId);
              if (revoked != null) host.put("revokedAt", revoked.toString());
            });
    ObjectNode identities = root.putObject("revokedIdentities");
    synchronized (revokedIdentities) {
      revokedIdentities.forEach((identity, at) -> identities.put(identity, at.toString()));
    }
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
          new Binding(
              identity,
              labels,
              Instant.parse(host.path("firstSeen").asText()),
              host.path("labelsPending").asBoolean(false)));
      if (host.hasNonNull("revokedAt")) {
        revokedHosts.put(e.getKey(), Instant.parse(host.get("revokedAt").asText()));
      }
    }
    root.path("revokedIdentities")
        .fields()
        .forEachRemaining(
            r -> revokedIdentities.put(r.getKey(), Instant.parse(r.getValue().asText())));
  }
}
