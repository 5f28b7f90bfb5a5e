package ogp.cluster;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.election.LeaderKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import ogp.protocol.LogText;
import ogp.protocol.LoopGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Leadership} on etcd's election API: the election {@code <prefix>leader}, whose leader key
 * {@code <prefix>leader/<lease in hex>} holds the leader's {@link Member} as JSON, and a member key
 * {@code <prefix>members/<id>} per replica, both on the replica's lease.
 *
 * <p>How a term begins: a campaign thread grants a lease (the {@link LeaseKeeper} keeps it alive),
 * registers the member key and campaigns; the campaign blocks in etcd until every older candidate's
 * key is gone. A campaign that fails (a network error: jetcd does not retry it) is made again with
 * the same lease, after a backoff of 100 ms doubling to 2 s; the same key and revision come back.
 * When it returns, a read confirms that the first-created key of the election is this replica's
 * (etcd 3.4 can answer a campaign whose key has just vanished with its lease); then the term
 * begins, at the epoch of the key's creation revision.
 *
 * <p>How a term ends, each at once: the lease's last keep-alive becomes too old to act on ({@link
 * LeaseFreshness}; checked every 250 ms, and by {@link #mayCommand} on every call) — then the key
 * is resigned as soon as etcd answers, and the replica campaigns again for a new epoch; a
 * keep-alive answer that the lease is not found — then a new lease is granted and the replica
 * campaigns again; a sighting of the leader key ({@link LeaderObserver}) newer than the term's
 * confirmation that shows another key or none; {@link #resign()} and {@link #close()}. A network
 * error alone ends nothing: the lease may live on and keep-alives resume.
 *
 * <p>Threads: the campaign thread {@code ogp-etcd-campaign} (the only one that blocks on etcd, each
 * call with the call timeout, the campaign in slices); the timer {@code ogp-etcd-timer} (keep-alive
 * ticks, the staleness check, leader and member polls, and every state change that gRPC callbacks
 * hand over — it never blocks); listeners on {@code ogp-etcd-listeners} ({@link Listeners}), one at
 * a time, in the order of the changes, which are told under the lock. The lock guards memory only
 * and is never held across a call to etcd. Every loop survives any throwable ({@link LoopGuard}).
 *
 * <p>Clocks: the lease's age is measured with {@link System#nanoTime()} (a step of the wall clock
 * must not extend a lease); the {@link Clock} only stamps {@link #leadingSince()}.
 */
public final class EtcdLeadership implements Leadership {
  private static final Logger log = LoggerFactory.getLogger(EtcdLeadership.class);

  static final Duration STALENESS_CHECK = Duration.ofMillis(250);
  static final Duration LEADER_POLL = Duration.ofSeconds(1);
  static final Duration MEMBERS_POLL = Duration.ofSeconds(1);
  static final Duration RETRY_MIN = Duration.ofMillis(100);
  static final Duration RETRY_MAX = Duration.ofSeconds(2);

  /** One term of this replica's leadership. */
  private record Term(LeaderKey key, long leaseId, long confirmedRevision, Instant since) {
    long epoch() {
      return key.getRevision();
    }
  }

  private final EtcdSettings settings;
  private final Member self;
  private final Clock clock;
  private final Client client;
  private final String electionName;
  private final ScheduledThreadPoolExecutor timer;
  private final Listeners listeners = new Listeners();
  private final LeaseKeeper lease;
  private final Candidacy candidacy;
  private final LeaderObserver observer;
  private final LeaderView view = new LeaderView();
  private final MemberDirectory directory;
  private final EtcdFencedStore store;
  private final Thread campaigner;
  private final AtomicBoolean closed = new AtomicBoolean();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile Term term; // written under lock
  private volatile boolean stopping; // written under lock: resign() or close() was called
  private LeaderKey toResign; // guarded by lock: an ended term's key that may outlive the term
  private Duration retry = RETRY_MIN; // the campaign thread's backoff

  private EtcdLeadership(
      EtcdSettings settings, Member self, Clock clock, Client client, LongSupplier nanoTime) {
    this.settings = settings;
    this.self = self;
    this.clock = clock;
    this.client = client;
    this.electionName = settings.prefix() + "leader";
    this.timer = Timers.single("ogp-etcd-timer");
    this.lease =
        new LeaseKeeper(
            client.getLeaseClient(),
            new LeaseFreshness(settings.leaseTtl()),
            settings.callTimeout(),
            timer,
            nanoTime,
            this::leaseLost);
    this.candidacy =
        new Candidacy(
            client.getElectionClient(),
            client.getKVClient(),
            electionName,
            self,
            settings.callTimeout());
    this.observer =
        new LeaderObserver(
            client.getElectionClient(),
            client.getKVClient(),
            electionName,
            settings.callTimeout(),
            LEADER_POLL,
            timer,
            this::sighted);
    this.directory =
        new MemberDirectory(client.getKVClient(), timer, settings.prefix(), settings.callTimeout());
    this.store =
        new EtcdFencedStore(
            client.getKVClient(),
            client.getLeaseClient(),
            client.getWatchClient(),
            settings.prefix(),
            settings.callTimeout(),
            this::fence,
            timer);
    this.campaigner = new Thread(this::campaignLoop, "ogp-etcd-campaign");
    this.campaigner.setDaemon(true);
  }

  /**
   * Connects to etcd and starts campaigning in the background; returns at once (etcd may be
   * unreachable: the replica then keeps trying and does not lead).
   *
   * @param clock stamps {@link #leadingSince()}; the lease's age is measured with {@link
   *     System#nanoTime()}, which a clock step cannot move
   * @throws IllegalArgumentException when the settings cannot work (TLS or password files)
   */
  public static EtcdLeadership start(EtcdSettings settings, Member self, Clock clock) {
    return start(settings, self, clock, System::nanoTime);
  }

  static EtcdLeadership start(
      EtcdSettings settings, Member self, Clock clock, LongSupplier nanoTime) {
    Objects.requireNonNull(self, "self");
    Objects.requireNonNull(clock, "clock");
    Client client = EtcdClients.build(settings);
    try {
      EtcdLeadership leadership = new EtcdLeadership(settings, self, clock, client, nanoTime);
      leadership.begin();
      return leadership;
    } catch (RuntimeException | Error e) {
      client.close();
      throw e;
    }
  }

  private void begin() {
    lease.start();
    observer.start();
    timer.scheduleWithFixedDelay(
        LoopGuard.guarded("etcd leadership staleness check", this::checkStaleness),
        STALENESS_CHECK.toNanos(),
        STALENESS_CHECK.toNanos(),
        TimeUnit.NANOSECONDS);
    timer.scheduleWithFixedDelay(
        LoopGuard.guarded("etcd member poll", directory::refresh),
        0,
        MEMBERS_POLL.toNanos(),
        TimeUnit.NANOSECONDS);
    campaigner.start();
    log.info(
        "Replica {} joins the etcd election {} at {}",
        LogText.quote(self.id()),
        LogText.quote(electionName),
        settings.endpoints());
  }

  // ---- Leadership ----

  @Override
  public Member self() {
    return self;
  }

  @Override
  public Optional<Leader> leader() {
    return view.leader();
  }

  @Override
  public boolean leading() {
    return term != null;
  }

  @Override
  public long epoch() {
    Term current = term;
    return current == null ? 0 : current.epoch();
  }

  @Override
  public boolean mayCommand() {
    Term current = term;
    return current != null && lease.fresh(current.leaseId());
  }

  @Override
  public Duration leaseAge() {
    return lease.age();
  }

  @Override
  public List<Member> members() {
    return directory.members();
  }

  @Override
  public EtcdFencedStore store() {
    return store;
  }

  @Override
  public void addListener(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    lock.lock();
    try {
      Term current = term;
      Optional<Leader> now = view.leader();
      listeners.add(
          listener,
          l -> {
            l.leaderSeen(now);
            if (current != null) l.elected(current.epoch());
          });
    } finally {
      lock.unlock();
    }
  }

  /** When this replica's current term began; empty while it does not lead. */
  public Optional<Instant> leadingSince() {
    Term current = term;
    return current == null ? Optional.empty() : Optional.of(current.since());
  }

  /** Times this replica saw a new leader term (a leader at a new epoch, itself included). */
  public long leaderChanges() {
    return view.changes();
  }

  /** Writes of the shared state refused because this replica no longer led at its epoch. */
  public long fencedWrites() {
    return store.fencedWrites();
  }

  /** Keep-alives of this replica's lease that failed. */
  public long keepAliveFailures() {
    return lease.failures();
  }

  @Override
  public void resign() {
    Term ended;
    lock.lock();
    try {
      stopping = true;
      ended = term;
      if (ended != null) end(ended, "resigned");
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (ended == null) return;
    try {
      candidacy.resign(ended.key());
      log.info("Replica {} resigned at epoch {}", LogText.quote(self.id()), ended.epoch());
    } catch (ClusterUnavailable e) {
      log.warn("Resigning failed ({}); the key goes with the lease", e.getMessage());
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    resign();
    campaigner.interrupt();
    try {
      campaigner.join(settings.callTimeout().plusSeconds(1).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    observer.close();
    lease.close(); // revokes the lease: the member key and any candidate key go with it
    timer.shutdownNow();
    store.close();
    listeners.close(); // what was told before close still reaches the listeners
    client.close();
    log.info("Replica {} left the etcd election", LogText.quote(self.id()));
  }

  // ---- package-private wiring ----

  /** The fence of this replica's writes while it leads. */
  Optional<Fence> fence() {
    Term current = term;
    return current == null
        ? Optional.empty()
        : Optional.of(new Fence(current.key().getKey(), current.epoch()));
  }

  /** The client, for tests that act on etcd directly. */
  Client client() {
    return client;
  }

  /** The etcd revision of the newest sighting of the leader key taken in. */
  long sightedRevision() {
    return view.revision();
  }

  /** This replica's current lease; 0 while it has none. */
  long leaseId() {
    return lease.leaseId();
  }

  // ---- the campaign thread ----

  private void campaignLoop() {
    while (!stopping) {
      try {
        if (!campaignOnce()) pause(RETRY_MIN);
      } catch (ClusterUnavailable e) {
        if (stopping) break;
        // The first failure of a run is worth a warning; the retries of an outage are not.
        if (retry.equals(RETRY_MIN))
          log.warn(
              "Campaigning in etcd failed ({}); trying again, backing off up to {} ms",
              e.getMessage(),
              RETRY_MAX.toMillis());
        else log.debug("Campaigning in etcd failed again ({})", e.getMessage());
        pause(retry);
        retry = retry.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : retry.multipliedBy(2);
      } catch (Throwable t) {
        if (stopping) break;
        LoopGuard.survived("etcd campaign", t);
        pause(retry);
        retry = RETRY_MAX;
      }
    }
  }

  /** One turn: a lease, the member key, the campaign, and the term until it ends. */
  private boolean campaignOnce() {
    long leaseId = lease.ensure();
    try {
      directory.register(self, leaseId);
      if (!retry.equals(RETRY_MIN)) {
        log.info("etcd answers again; campaigning");
        retry = RETRY_MIN;
      }
      resignEndedTerm();
      Optional<LeaderKey> won =
          candidacy.campaign(leaseId, () -> stopping || lease.leaseId() != leaseId);
      if (won.isEmpty()) return false;
      Optional<Long> confirmed = confirm(won.get());
      if (confirmed.isEmpty()) return false;
      Term started = new Term(won.get(), leaseId, confirmed.get(), clock.instant());
      if (!start(started)) {
        // Won just as the replica stopped or lost the lease: give the key back at once, so no
        // standby waits for the lease to end.
        candidacy.resign(won.get());
        return false;
      }
      awaitEnd(started);
      return true;
    } catch (ClusterUnavailable e) {
      if (EtcdCalls.leaseNotFound(e)) lease.forget(leaseId, e.getMessage());
      throw e;
    }
  }

  /** Deletes the key of a term that ended while its lease may live on (a stale keep-alive). */
  private void resignEndedTerm() {
    LeaderKey key;
    lock.lock();
    try {
      key = toResign;
    } finally {
      lock.unlock();
    }
    if (key == null) return;
    // Guarded by the key's creation revision: a key that is gone or new is left alone.
    try {
      candidacy.resign(key);
    } catch (ClusterUnavailable e) {
      if (!EtcdCalls.leaseNotFound(e)) throw e; // else the key went with its lease
    }
    lock.lock();
    try {
      if (toResign == key) toResign = null;
    } finally {
      lock.unlock();
    }
    log.info("Resigned the leader key of epoch {}, whose term had ended", key.getRevision());
  }

  /**
   * The revision at which the election's first-created key was seen to be {@code won}; empty when
   * it was not (etcd 3.4 may end a campaign whose key went with its lease).
   */
  private Optional<Long> confirm(LeaderKey won) {
    LeaderObserver.Sighting sighting =
        EtcdCalls.await(observer.read(), settings.callTimeout(), "confirm the election");
    Timers.submit(timer, "etcd leader sighting", () -> sighted(sighting));
    if (sighting.leaderKey().isPresent() && ours(sighting.leaderKey().get(), won))
      return Optional.of(sighting.revision());
    log.info("The campaign ended, but the leader key is not this replica's; campaigning again");
    return Optional.empty();
  }

  private boolean start(Term started) {
    lock.lock();
    try {
      if (stopping || lease.leaseId() != started.leaseId()) return false;
      term = started;
      listeners.tell(l -> l.elected(started.epoch()));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    log.info(
        "Replica {} leads at epoch {} (lease {})",
        LogText.quote(self.id()),
        started.epoch(),
        Long.toHexString(started.leaseId()));
    return true;
  }

  private void awaitEnd(Term started) {
    lock.lock();
    try {
      while (term == started && !stopping) changed.await(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  private void pause(Duration delay) {
    lock.lock();
    try {
      if (!stopping) changed.await(delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  // ---- what ends a term (timer thread) ----

  private void checkStaleness() {
    Term current = term;
    if (current == null || lease.fresh(current.leaseId())) return;
    endTerm(
        current,
        "the lease's last keep-alive is "
            + lease.age().toMillis()
            + " ms old (acting only within "
            + lease.freshness().window().toMillis()
            + " ms of the "
            + lease.freshness().ttl().toSeconds()
            + " s TTL)",
        lease.leaseId() == current.leaseId());
  }

  private void leaseLost(long leaseId) {
    Term current = term;
    if (current != null && current.leaseId() == leaseId)
      endTerm(current, "etcd says the lease is gone", false);
    lock.lock();
    try {
      changed.signalAll(); // a campaign waiting on that lease gives up and starts over
    } finally {
      lock.unlock();
    }
  }

  private void sighted(LeaderObserver.Sighting sighting) {
    Optional<LeaderView.Taken> taken = view.take(sighting);
    if (taken.isEmpty()) return; // overtaken by a newer sighting
    Term current = term;
    if (current != null
        && sighting.revision() >= current.confirmedRevision()
        && (sighting.leaderKey().isEmpty() || !ours(sighting.leaderKey().get(), current.key())))
      endTerm(
          current,
          sighting
              .leaderKey()
              .map(key -> "another leader key holds the election: " + EtcdCalls.text(key.getKey()))
              .orElse("this replica's leader key is gone"),
          false);
    if (!taken.get().changed()) return;
    Optional<Leader> now = taken.get().leader();
    log.info(
        "The leader is {}",
        now.map(l -> LogText.quote(l.member().id()) + " at epoch " + l.epoch()).orElse("unknown"));
    lock.lock();
    try {
      listeners.tell(l -> l.leaderSeen(now));
    } finally {
      lock.unlock();
    }
  }

  /** Ends the term if it is still the current one; true when it did. */
  private boolean endTerm(Term ended, String reason, boolean keyMayLive) {
    lock.lock();
    try {
      if (term != ended) return false;
      end(ended, reason);
      if (keyMayLive) toResign = ended.key();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    log.warn(
        "Replica {} no longer leads (epoch {}): {}",
        LogText.quote(self.id()),
        ended.epoch(),
        reason);
    return true;
  }

  /** Under the lock, so listeners hear of changes in the order they happened. */
  private void end(Term ended, String reason) {
    term = null;
    listeners.tell(l -> l.deposed(reason));
  }

  private static boolean ours(KeyValue key, LeaderKey won) {
    return key.getKey().equals(won.getKey()) && key.getCreateRevision() == won.getRevision();
  }
}
