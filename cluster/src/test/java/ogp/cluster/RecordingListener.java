package ogp.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Records what a {@link Leadership} tells its listener, and on which thread. */
final class RecordingListener implements Leadership.Listener {
  private final List<String> events = new ArrayList<>();
  private final List<String> threads = new ArrayList<>();

  @Override
  public synchronized void elected(long epoch) {
    record("elected " + epoch);
  }

  @Override
  public synchronized void deposed(String reason) {
    record("deposed " + reason);
  }

  @Override
  public synchronized void leaderSeen(Optional<Leader> leader) {
    record("leader " + leader.map(l -> l.member().id() + "@" + l.epoch()).orElse("unknown"));
  }

  private void record(String event) {
    events.add(event);
    threads.add(Thread.currentThread().getName());
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }

  synchronized List<String> threads() {
    return List.copyOf(threads);
  }

  synchronized boolean heard(String prefix) {
    return events.stream().anyMatch(e -> e.startsWith(prefix));
  }
}
