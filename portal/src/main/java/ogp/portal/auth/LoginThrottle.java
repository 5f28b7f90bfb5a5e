package ogp.portal.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What keeps sign-in attempts from eating the server's CPU: every attempt (known user or not, right
 * password or not) spends one from its client address's bucket and one from its user name's bucket
 * ({@link TokenBuckets}); an empty bucket refuses with 429 and when to try again. Password checks
 * (bcrypt, about a quarter of a second of a core each) run at most {@link Limits#concurrentChecks}
 * at a time; an attempt that finds no free slot within {@link Limits#checkWait} is refused with
 * 503. So a loop of logins costs at most that many cores, and the agents' heartbeats stay on time.
 */
public final class LoginThrottle {
  /**
   * @param perAddressPerMinute attempts per client address (the TCP peer: behind a proxy, the
   *     proxy's address) per minute
   * @param perUserPerMinute attempts per user name per minute
   * @param concurrentChecks password checks running at once
   * @param checkWait how long an attempt may wait for a free check
   * @param trackedKeys addresses and names remembered each (least recently used forgotten first)
   */
  public record Limits(
      int perAddressPerMinute,
      int perUserPerMinute,
      int concurrentChecks,
      Duration checkWait,
      int trackedKeys) {
    public static Limits defaults() {
      return new Limits(10, 5, 2, Duration.ofSeconds(1), 10_000);
    }
  }

  /** A refused attempt: HTTP status, seconds for {@code Retry-After}, one sentence for the user. */
  public record Refusal(int status, long retryAfterSeconds, String message) {}

  private static final int MAX_NAME_KEY = 64;

  private final TokenBuckets addresses;
  private final TokenBuckets names;
  private final Semaphore checks;
  private final Duration checkWait;

  public LoginThrottle(Limits limits, Clock clock) {
    this.addresses = new TokenBuckets(limits.perAddressPerMinute(), limits.trackedKeys(), clock);
    this.names = new TokenBuckets(limits.perUserPerMinute(), limits.trackedKeys(), clock);
    this.checks = new Semaphore(limits.concurrentChecks());
    this.checkWait = limits.checkWait();
  }

  /** Spends one attempt of the address and of the name; a refusal when either is used up. */
  public Optional<Refusal> admit(String address, String name) {
    Duration wait = addresses.take(String.valueOf(address));
    if (!wait.isZero())
      return Optional.of(tooMany("Too many sign-in attempts from your address", wait));
    wait = names.take(nameKey(name));
    if (!wait.isZero())
      return Optional.of(tooMany("Too many sign-in attempts for this user", wait));
    return Optional.empty();
  }

  /**
   * Runs a password check within the cap on concurrent checks; empty when no slot freed up in time
   * (answer {@link #busy()}).
   */
  public <T> Optional<T> check(Supplier<T> check) throws InterruptedException {
    if (!checks.tryAcquire(checkWait.toMillis(), TimeUnit.MILLISECONDS)) return Optional.empty();
    try {
      return Optional.of(check.get());
    } finally {
      checks.release();
    }
  }

  /** The refusal when every password check slot stayed busy. */
  public Refusal busy() {
    return new Refusal(
        503, 1, "The server is busy checking other sign-ins; try again in a moment.");
  }

  private static Refusal tooMany(String what, Duration wait) {
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    return new Refusal(
        429,
        seconds,
        what + "; try again in " + seconds + " second" + (seconds == 1 ? "" : "s") + ".");
  }

  /** Names are keyed case-insensitively and cut, so a long name costs no more memory. */
  private static String nameKey(String name) {
    String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
    return key.length() > MAX_NAME_KEY ? key.substring(0, MAX_NAME_KEY) : key;
  }
}
