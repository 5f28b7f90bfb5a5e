package ogp.reconciler.agents;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import ogp.protocol.v1.StatusReport;

/** Records listener calls as short strings, e.g. {@code connected:h1}, {@code report:h1:r1}. */
final class RecordingListener implements AgentListener {
  final List<String> events = new CopyOnWriteArrayList<>();
  final List<String> threads = new CopyOnWriteArrayList<>();

  @Override
  public void hostConnected(HostRecord host) {
    record("connected:" + host.hostId());
  }

  @Override
  public void reportReceived(String hostId, StatusReport report) {
    record("report:" + hostId + ":" + report.getRevision());
  }

  @Override
  public void hostDisconnected(String hostId) {
    record("disconnected:" + hostId);
  }

  @Override
  public void hostLost(String hostId) {
    record("lost:" + hostId);
  }

  @Override
  public void labelsChanged(HostRecord host) {
    record("labels:" + host.hostId() + ":" + new java.util.TreeMap<>(host.labels()));
  }

  List<String> of(String hostId) {
    return events.stream().filter(e -> e.split(":")[1].equals(hostId)).toList();
  }

  private void record(String event) {
    threads.add(Thread.currentThread().getName());
    events.add(event);
  }
}
