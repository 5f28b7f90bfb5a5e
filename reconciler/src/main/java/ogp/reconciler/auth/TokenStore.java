package ogp.reconciler.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import ogp.protocol.files.OwnerOnlyFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's tokens, stored hashed in {@code <data-dir>/tokens.json} (mode 0600): per token a
 * name, a role ({@link Role}), the SHA-256 of the token, when it was created and, optionally, when
 * it expires. The plaintext is shown once, when a token is created or rotated, and never stored
 * here; a presented token is hashed and compared with the hashes.
 *
 * <p>Why a plain SHA-256 and no slow password hash: every token is 32 bytes from a {@link
 * SecureRandom} (256 bits), so there is no dictionary to try and no rainbow table to build; a salt
 * or a slow hash only protects guessable secrets, and would cost on every API call and agent Hello.
 * Tokens imported from the plaintext files of older data dirs were generated the same way.
 *
 * <p>Rotation keeps a name's old tokens valid until a grace period ends; several tokens may share a
 * name while that lasts. Expired tokens are refused at once and dropped at the next write.
 *
 * <p>The file is the only state: a running server re-reads it when its modification time, size or
 * inode changes (one {@code stat} per check), so {@code ogp tokens ...} acts without a restart.
 * Writes replace the file atomically under a lock file, so concurrent commands never lose each
 * other's change and a reader never sees half a file. A file made invalid by hand while the server
 * runs keeps the last valid tokens (and logs why); an invalid file at start stops the start (see
 * {@link #bootstrap}); a removed file refuses every token.
 */
public final class TokenStore implements TokenVerifier {
  private static final Logger log = LoggerFactory.getLogger(TokenStore.class);

  /** The store's file name inside the server's data directory. */
  public static final String FILE = "tokens.json";

  static final String FORMAT = "ogp-tokens/v1";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * FileLock is per process; this orders writers inside one JVM (tests run CLI and server
   * together).
   */
  private static final Object JVM_WRITERS = new Object();

  /**
   * One stored token. {@code sha256} is the lowercase hex SHA-256 of the token's UTF-8 text; {@code
   * usesLeft} is how many enrolments a join token still admits (empty: unlimited). A used-up token
   * stays in the store, refused, so that its refusal can say why, until it expires or is revoked.
   */
  public record Entry(
      String name,
      Role role,
      String sha256,
      Instant createdAt,
      Optional<Instant> expiresAt,
      Optional<Integer> usesLeft) {
    public Entry {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(createdAt, "createdAt");
      expiresAt = Objects.requireNonNullElse(expiresAt, Optional.empty());
      usesLeft = Objects.requireNonNullElse(usesLeft, Optional.empty());
    }

    /** A token without a limit on its uses. */
    public Entry(
        String name, Role role, String sha256, Instant createdAt, Optional<Instant> expiresAt) {
      this(name, role, sha256, createdAt, expiresAt, Optional.empty());
    }

    boolean liveAt(Instant now) {
      return expiresAt.isEmpty() || now.isBefore(expiresAt.get());
    }

    boolean usedUp() {
      return usesLeft.isPresent() && usesLeft.get() <= 0;
    }

    /** What may be shown: everything but the hash. */
    public TokenInfo info() {
      return new TokenInfo(name, role, createdAt, expiresAt, usesLeft);
    }

    @Override
    public String toString() {
      return "Entry["
          + name
          + ", "
          + role.label()
          + ", created "
          + createdAt
          + expiresAt.map(e -> ", expires " + e).orElse("")
          + usesLeft.map(u -> ", " + u + " use(s) left").orElse("")
          + "]";
    }
  }

  /**
   * A token as {@code ogp tokens list} shows it: never the token, never its hash.
   *
   * @param usesLeft enrolments a join token still admits; empty: unlimited
   */
  public record TokenInfo(
      String name,
      Role role,
      Instant createdAt,
      Optional<Instant> expiresAt,
      Optional<Integer> usesLeft) {
    /** A token without a limit on its uses. */
    public TokenInfo(String name, Role role, Instant createdAt, Optional<Instant> expiresAt) {
      this(name, role, createdAt, expiresAt, Optional.empty());
    }
  }

  /** What spending one use of a join token on an enrolment came to ({@link #consumeJoinUse}). */
  public sealed interface JoinUse {
    /** One use was spent and the store written; {@code usesLeft} after it (empty: unlimited). */
    record Spent(TokenGrant grant, Optional<Integer> usesLeft) implements JoinUse {}

    /** Refused; {@code reason} says why (unknown, not a join token, expired, used up). */
    record Refused(String reason) implements JoinUse {}
  }

  /**
   * A name and the file the server writes its token to on first start ({@code join}, {@code admin},
   * {@code viewer}).
   */
  public record HandOver(String name, Role role, String fileName) {}

  /**
   * The tokens of a first start, with the plaintext files of SPEC §4/§5 (and the viewer token of
   * older versions).
   */
  public static final List<HandOver> HAND_OVERS =
      List.of(
          new HandOver("join", Role.JOIN, SecretToken.JOIN_TOKEN_FILE),
          new HandOver("admin", Role.ADMIN, SecretToken.ADMIN_TOKEN_FILE),
          new HandOver("viewer", Role.VIEWER, SecretToken.VIEWER_TOKEN_FILE));

  private final Path file;
  private final Path lockFile;
  private final Clock clock;
  private volatile List<Entry> entries = List.of();
  private Object readStamp; // guarded by this: what the file looked like when entries were read

  private TokenStore(Path dataDir, Clock clock) {
    this.file = dataDir.resolve(FILE);
    this.lockFile = dataDir.resolve(FILE + ".lock");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The store of a data dir as it is; {@link #exists()} tells whether there is one. */
  public static TokenStore open(Path dataDir, Clock clock) {
    TokenStore store = new TokenStore(dataDir, clock);
    store.reloadIfChanged();
    return store;
  }

  /**
   * The server's store, created on its first start: the join, admin and viewer tokens are taken
   * from their plaintext files where these exist (data dirs of older versions, whose tokens must
   * keep working) and generated where not, in which case the file is written (mode 0600) as the
   * operator's hand-over copy. Once the store exists those files are never read again and may be
   * deleted.
   *
   * <p>A store that exists but cannot be read is an error, not an empty store: a server started
   * with it would refuse every token, agents' included. The exception says what is wrong and how to
   * recover.
   */
  public static TokenStore bootstrap(Path dataDir, Clock clock, SecureRandom random)
      throws IOException {
    checkReadable(dataDir.resolve(FILE));
    TokenStore store = open(dataDir, clock);
    if (store.exists()) return store;
    Instant now = clock.instant();
    List<Entry> first = new ArrayList<>();
    List<String> imported = new ArrayList<>();
    for (HandOver h : HAND_OVERS) {
      Path handOver = dataDir.resolve(h.fileName());
      String token;
      if (Files.exists(handOver)) {
        token = SecretToken.of(Files.readString(handOver, StandardCharsets.US_ASCII)).reveal();
        imported.add(h.fileName());
      } else {
        token = SecretToken.generate(random);
        OwnerOnlyFile.write(handOver, token + "\n");
      }
      first.add(new Entry(h.name(), h.role(), sha256(token), now, Optional.empty()));
    }
    store.update(current -> current.isEmpty() ? first : current);
    log.info(
        "token store {} created{}",
        store.file,
        imported.isEmpty() ? "" : "; hashed the tokens of " + imported);
    return store;
  }

  public Path file() {
    return file;
  }

  /** Throws, naming the file, what is wrong and the way out, when a store is there but invalid. */
  private static void checkReadable(Path file) throws IOException {
    if (!Files.exists(file)) return;
    try {
      read(file);
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          "the token store "
              + file
              + " is not valid ("
              + why(e)
              + "), and a server started with it would refuse every token; restore it from a"
              + " backup, or move it aside to start with a new store (made from the join-token,"
              + " admin-token and viewer-token files beside it where they exist, new tokens where"
              + " not; tokens made with ogp tokens create are then gone)",
          e);
    }
  }

  /** What is wrong with the file, in one line, without quoting its content. */
  private static String why(Exception e) {
    String message =
        e instanceof JsonProcessingException json
            ? json.getOriginalMessage()
                + (json.getLocation() == null
                    ? ""
                    : " at line "
                        + json.getLocation().getLineNr()
                        + ", column "
                        + json.getLocation().getColumnNr())
            : String.valueOf(e.getMessage());
    return message.lines().findFirst().orElse(e.getClass().getSimpleName());
  }

  public boolean exists() {
    return Files.exists(file);
  }

  @Override
  public Optional<TokenGrant> verify(String presented) {
    reloadIfChanged();
    return verifyInMemory(presented);
  }

  /**
   * A verifier that never touches the disk, for threads that must not do I/O (Netty's event loops):
   * it sees the tokens as of the last {@link #verify}, {@link #list} or {@link #refresh}.
   */
  public TokenVerifier inMemory() {
    return this::verifyInMemory;
  }

  /**
   * Re-reads the file if it changed; the server calls this periodically for {@link #inMemory()}.
   */
  public void refresh() {
    reloadIfChanged();
  }

  @Override
  public Optional<TokenGrant> verifyDigest(String sha256) {
    reloadIfChanged();
    return sha256 == null ? Optional.empty() : grantOf(sha256);
  }

  private Optional<TokenGrant> verifyInMemory(String presented) {
    if (presented == null || presented.isBlank()) return Optional.empty();
    return grantOf(sha256(presented.strip()));
  }

  private Optional<TokenGrant> grantOf(String sha256) {
    byte[] digest = sha256.getBytes(StandardCharsets.US_ASCII);
    Instant now = clock.instant();
    TokenGrant grant = null;
    for (Entry e :
        entries) { // no early exit: the time taken does not depend on which token matched
      if (MessageDigest.isEqual(digest, e.sha256().getBytes(StandardCharsets.US_ASCII))
          && e.liveAt(now)
          && !e.usedUp()) {
        grant = new TokenGrant(e.name(), e.role());
      }
    }
    return Optional.ofNullable(grant);
  }

  /**
   * Why a join token is refused, without spending anything: empty when it would admit an enrolment
   * now. Reads only memory (as of the last re-read), like {@link #inMemory()}.
   */
  public Optional<String> joinRefusal(String presented) {
    if (presented == null || presented.isBlank()) {
      return Optional.of("no join token was given");
    }
    return refusal(sha256(presented.strip()), entries, clock.instant());
  }

  /**
   * Spends one use of a join token for an enrolment, atomically: under the store's lock the token
   * is looked up, checked (a join token, not expired, not used up), its count lowered and the file
   * written, all before this returns; so two enrolments racing for the last use cannot both have
   * it, and a use is on disk before a certificate is issued for it. A token without a use limit (it
   * has an expiry then: one with neither never enrols) is checked and nothing is written. Does disk
   * I/O: never call it on an event loop.
   */
  public JoinUse consumeJoinUse(String presented) throws IOException {
    if (presented == null || presented.isBlank()) {
      return new JoinUse.Refused("no join token was given");
    }
    String digest = sha256(presented.strip());
    Instant now = clock.instant();
    reloadIfChanged();
    // Refused by what the file said a moment ago: nothing to write (a write would also drop
    // expired tokens, and with them the reason a later refusal could give).
    Optional<String> refusedNow = refusal(digest, entries, now);
    if (refusedNow.isPresent()) {
      return new JoinUse.Refused(refusedNow.get());
    }
    if (entries.stream().anyMatch(e -> e.sha256().equals(digest) && e.usesLeft().isEmpty())) {
      Entry unlimited =
          entries.stream().filter(e -> e.sha256().equals(digest)).findFirst().orElseThrow();
      return new JoinUse.Spent(
          new TokenGrant(unlimited.name(), unlimited.role()), Optional.empty());
    }
    JoinUse[] outcome = new JoinUse[1];
    update(
        current -> {
          // The file as it is now, under the lock: another process may have spent the last use.
          List<Entry> next = new ArrayList<>();
          for (Entry e : current) {
            if (outcome[0] == null && e.sha256().equals(digest) && e.role() != Role.JOIN) {
              outcome[0] = new JoinUse.Refused("the token is not a join token");
              next.add(e);
            } else if (outcome[0] == null && e.sha256().equals(digest) && e.usedUp()) {
              // Spent by another process since this one last read the file.
              outcome[0] = new JoinUse.Refused("the join token '" + e.name() + "' is used up");
              next.add(e);
            } else if (outcome[0] == null && e.sha256().equals(digest)) {
              Optional<Integer> left = e.usesLeft().map(u -> u - 1);
              outcome[0] = new JoinUse.Spent(new TokenGrant(e.name(), e.role()), left);
              next.add(
                  new Entry(e.name(), e.role(), e.sha256(), e.createdAt(), e.expiresAt(), left));
            } else {
              next.add(e);
            }
          }
          if (outcome[0] == null) {
            outcome[0] = new JoinUse.Refused("the join token was revoked or expired a moment ago");
          }
          return next;
        });
    return outcome[0];
  }

  /** Why the token with this digest admits no enrolment now, or empty when it does. */
  private static Optional<String> refusal(String digest, List<Entry> entries, Instant now) {
    Optional<Entry> match = entries.stream().filter(e -> e.sha256().equals(digest)).findFirst();
    if (match.isEmpty()) {
      return Optional.of("the join token is not known (revoked, mistyped or of another server)");
    }
    Entry e = match.get();
    if (e.role() != Role.JOIN) {
      return Optional.of("the token is not a join token");
    }
    if (!e.liveAt(now)) {
      return Optional.of("the join token '" + e.name() + "' expired at " + e.expiresAt().get());
    }
    if (e.usedUp()) {
      return Optional.of("the join token '" + e.name() + "' is used up");
    }
    if (e.usesLeft().isEmpty() && e.expiresAt().isEmpty()) {
      // Such a token (the first start's 'join', copied to hosts for plain links) would be a
      // credential that mints mutual-TLS identities for ever: enrolment takes bounded tokens only.
      return Optional.of(
          "the join token '"
              + e.name()
              + "' has neither a use limit nor an expiry, so it cannot enrol agents; make one that"
              + " can: ogp tokens create --kind join --uses 1 --ttl 24h --print-join-command");
    }
    return Optional.empty();
  }

  /** The tokens that are valid now, by name and creation (used-up join tokens included). */
  public List<TokenInfo> list() {
    reloadIfChanged();
    Instant now = clock.instant();
    return entries.stream()
        .filter(e -> e.liveAt(now))
        .map(Entry::info)
        .sorted(Comparator.comparing(TokenInfo::name).thenComparing(TokenInfo::createdAt))
        .toList();
  }

  /**
   * Creates a token and returns it; it is not stored and cannot be shown again.
   *
   * @throws IllegalArgumentException for a malformed name
   * @throws IllegalStateException when a valid token of that name exists
   */
  public String create(String name, Role role, Optional<Instant> expiresAt, SecureRandom random)
      throws IOException {
    return create(name, role, expiresAt, Optional.empty(), random);
  }

  /**
   * Creates a token that admits {@code uses} enrolments (empty: unlimited) and returns it.
   *
   * @throws IllegalArgumentException for a malformed name, or uses on a token that is no join token
   *     or below 1
   * @throws IllegalStateException when a valid token of that name exists
   */
  public String create(
      String name,
      Role role,
      Optional<Instant> expiresAt,
      Optional<Integer> uses,
      SecureRandom random)
      throws IOException {
    checkName(name);
    if (uses.isPresent() && (role != Role.JOIN || uses.get() < 1)) {
      throw new IllegalArgumentException(
          role != Role.JOIN
              ? "only join tokens have a number of uses"
              : "a join token needs at least 1 use, got " + uses.get());
    }
    String token = SecretToken.generate(random);
    update(
        current -> {
          if (current.stream().anyMatch(e -> e.name().equals(name))) {
            throw new IllegalStateException(
                "a token named '" + name + "' exists; rotate or revoke it");
          }
          List<Entry> next = new ArrayList<>(current);
          next.add(new Entry(name, role, sha256(token), clock.instant(), expiresAt, uses));
          return next;
        });
    return token;
  }

  /**
   * Gives a name a new token with the same role and returns it. The name's current tokens stay
   * valid for {@code grace} (or until they expire, if sooner), then are refused.
   *
   * @throws IllegalStateException when no valid token has that name
   */
  public String rotate(
      String name, Duration grace, Optional<Instant> expiresAt, SecureRandom random)
      throws IOException {
    if (grace.isNegative())
      throw new IllegalArgumentException("the grace period is negative: " + grace);
    String token = SecretToken.generate(random);
    update(
        current -> {
          Instant now = clock.instant();
          Instant graceEnd = now.plus(grace);
          Entry newest =
              current.stream()
                  .filter(e -> e.name().equals(name))
                  .max(Comparator.comparing(Entry::createdAt))
                  .orElseThrow(
                      () ->
                          new IllegalStateException(
                              "no token named '" + name + "'; see ogp tokens list"));
          List<Entry> next = new ArrayList<>();
          for (Entry e : current) {
            if (!e.name().equals(name)) {
              next.add(e);
            } else if (!grace.isZero()) {
              Instant end = e.expiresAt().filter(x -> x.isBefore(graceEnd)).orElse(graceEnd);
              next.add(
                  new Entry(
                      e.name(),
                      e.role(),
                      e.sha256(),
                      e.createdAt(),
                      Optional.of(end),
                      // The remaining uses move to the new secret and the old one keeps none: a
                      // grace period must not double a use-limited token's quota.
                      e.usesLeft().map(u -> 0)));
            }
          }
          // A join token's remaining uses carry over: rotation changes the secret, not the quota.
          next.add(
              new Entry(name, newest.role(), sha256(token), now, expiresAt, newest.usesLeft()));
          return next;
        });
    return token;
  }

  /**
   * Removes every token of a name; they are refused at once.
   *
   * @throws IllegalStateException when no valid token has that name
   */
  public void revoke(String name) throws IOException {
    update(
        current -> {
          List<Entry> next = current.stream().filter(e -> !e.name().equals(name)).toList();
          if (next.size() == current.size())
            throw new IllegalStateException("no token named '" + name + "'; see ogp tokens list");
          return next;
        });
  }

  /** Whether a valid token of this name exists. */
  public boolean has(String name) {
    return list().stream().anyMatch(t -> t.name().equals(name));
  }

  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "'"
              + name
              + "' is not a valid token name"
              + " (expected letters, digits, '.', '_' or '-', starting with a letter or digit, at most 63 characters)");
    }
  }

  /** The lowercase hex SHA-256 of a token's UTF-8 text. */
  static String sha256(String token) {
    return TokenVerifier.digest(token);
  }

  /**
   * Reads the file fresh, applies {@code change} to its valid tokens (expired ones are dropped) and
   * replaces the file, all under the lock file.
   */
  private void update(UnaryOperator<List<Entry>> change) throws IOException {
    synchronized (JVM_WRITERS) {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (FileChannel channel =
              FileChannel.open(
                  lockFile,
                  EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")));
          FileLock ignored = channel.lock()) {
        Instant now = clock.instant();
        List<Entry> current = exists() ? read(file) : List.of();
        List<Entry> next =
            List.copyOf(change.apply(current.stream().filter(e -> e.liveAt(now)).toList()));
        OwnerOnlyFile.write(file, write(next));
        synchronized (this) { // our own write: no need to read it back
          entries = next;
          readStamp = stamp();
        }
      }
    }
  }

  private void reloadIfChanged() {
    Object stamp = stamp();
    synchronized (this) {
      if (Objects.equals(stamp, readStamp)) return;
      if (stamp == null) {
        if (readStamp != null)
          log.warn("token store {} is gone: every token is refused until it is back", file);
        entries = List.of();
      } else {
        try {
          entries = read(file);
          if (readStamp != null)
            log.info("token store {} re-read: {} token(s)", file, entries.size());
        } catch (IOException | RuntimeException e) {
          log.warn(
              "token store {} is not valid, keeping the previous tokens: {}", file, e.getMessage());
        }
      }
      readStamp = stamp;
    }
  }

  /** What the file looks like now (time, size, inode), or null when it is missing. */
  private Object stamp() {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return readStamp;
    }
  }

  static List<Entry> read(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new IOException(
          file + " is not a token store (expected \"format\": \"" + FORMAT + "\")");
    }
    List<Entry> out = new ArrayList<>();
    for (JsonNode t : root.path("tokens")) {
      String expires = t.path("expiresAt").asText(null);
      out.add(
          new Entry(
              required(t, "name"),
              Role.parse(required(t, "role")),
              required(t, "sha256"),
              Instant.parse(required(t, "createdAt")),
              t.path("expiresAt").isNull() || expires == null
                  ? Optional.empty()
                  : Optional.of(Instant.parse(expires)),
              uses(t)));
    }
    return List.copyOf(out);
  }

  /** {@code "uses"}: absent or null for unlimited, else a count of at least 0. */
  private static Optional<Integer> uses(JsonNode token) throws IOException {
    JsonNode uses = token.get("uses");
    if (uses == null || uses.isNull()) return Optional.empty();
    if (!uses.canConvertToInt() || !uses.isIntegralNumber() || uses.asInt() < 0) {
      throw new IOException("a token in the store has a \"uses\" that is no count");
    }
    return Optional.of(uses.asInt());
  }

  private static String required(JsonNode token, String field) throws IOException {
    JsonNode value = token.get(field);
    if (value == null || !value.isTextual())
      throw new IOException("a token in the store has no \"" + field + "\"");
    return value.asText();
  }

  static String write(List<Entry> entries) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    ArrayNode tokens = root.putArray("tokens");
    for (Entry e : entries) {
      ObjectNode t = tokens.addObject();
      t.put("name", e.name());
      t.put("role", e.role().label());
      t.put("sha256", e.sha256());
      t.put("createdAt", e.createdAt().toString());
      if (e.expiresAt().isPresent()) t.put("expiresAt", e.expiresAt().get().toString());
      else t.putNull("expiresAt");
      if (e.usesLeft().isPresent()) t.put("uses", e.usesLeft().get());
    }
    return JSON.writeValueAsString(root) + "\n";
  }
}
