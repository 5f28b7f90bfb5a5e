package ogp.reconciler.agents;

import java.util.Map;
import java.util.TreeMap;
import ogp.protocol.BoundedText;
import ogp.protocol.v1.ContainerStatus;
import ogp.protocol.v1.Hello;
import ogp.protocol.v1.StatusReport;

/**
 * The one place where what an agent says is bounded before the server keeps it: every string of a
 * Hello (after it was checked) and of a status report is cut to its limit with a visible marker
 * ({@code "… [N more characters]"}), and a Hello keeps at most {@value #MAX_LABELS} labels (the
 * first by key). So a host record, the events that quote a last error and the watch objects built
 * from them stay small whatever an agent sends within a frame.
 *
 * <p>Limits: identifiers (container id, app, version, state, revision, spec hash, versions) {@value
 * #MAX_NAME} characters; errors {@value #MAX_ERROR}; label keys {@value #MAX_LABEL_KEY} and values
 * {@value #MAX_LABEL_VALUE}. The host id is not cut here (an identity must not be truncated into
 * another): {@link HelloCheck} refuses one longer than {@value #MAX_HOST_ID}. The join token is
 * dropped from the kept Hello: it was checked and is never needed again. A message within the
 * limits is returned as it is, without a copy.
 */
final class AgentInput {
  static final int MAX_HOST_ID = 253;
  static final int MAX_NAME = 256;
  static final int MAX_ERROR = 4096;
  static final int MAX_LABELS = 64;
  static final int MAX_LABEL_KEY = 253;
  static final int MAX_LABEL_VALUE = 256;

  private AgentInput() {}

  /** The Hello as the server keeps it: strings and labels bounded, no join token. */
  static Hello bounded(Hello hello) {
    Hello.Builder b = hello.toBuilder().clearJoinToken();
    b.setAgentVersion(cut(hello.getAgentVersion(), MAX_NAME));
    b.setDockerVersion(cut(hello.getDockerVersion(), MAX_NAME));
    Map<String, String> labels = hello.getLabelsMap();
    boolean labelsFit = labels.size() <= MAX_LABELS;
    for (Map.Entry<String, String> e : labels.entrySet()) {
      labelsFit &= e.getKey().length() <= MAX_LABEL_KEY && e.getValue().length() <= MAX_LABEL_VALUE;
    }
    if (!labelsFit) {
      b.clearLabels();
      new TreeMap<>(labels)
          .entrySet().stream()
              .limit(MAX_LABELS)
              .forEach(
                  e ->
                      b.putLabels(
                          cut(e.getKey(), MAX_LABEL_KEY), cut(e.getValue(), MAX_LABEL_VALUE)));
    }
    return b.build();
  }

  /** The report with every string bounded; the same object when all are within the limits. */
  static StatusReport bounded(StatusReport report) {
    if (fits(report)) return report;
    StatusReport.Builder b = report.toBuilder();
    b.setRevision(cut(report.getRevision(), MAX_NAME));
    b.setLastError(cut(report.getLastError(), MAX_ERROR));
    b.setDockerVersion(cut(report.getDockerVersion(), MAX_NAME));
    for (int i = 0; i < b.getContainersCount(); i++) {
      ContainerStatus c = b.getContainers(i);
      if (!fits(c)) b.setContainers(i, bounded(c));
    }
    return b.build();
  }

  private static ContainerStatus bounded(ContainerStatus c) {
    return c.toBuilder()
        .setApp(cut(c.getApp(), MAX_NAME))
        .setVersion(cut(c.getVersion(), MAX_NAME))
        .setContainerId(cut(c.getContainerId(), MAX_NAME))
        .setState(cut(c.getState(), MAX_NAME))
        .setRevision(cut(c.getRevision(), MAX_NAME))
        .setSpecHash(cut(c.getSpecHash(), MAX_NAME))
        .setLastError(cut(c.getLastError(), MAX_ERROR))
        .build();
  }

  private static boolean fits(StatusReport r) {
    if (r.getRevision().length() > MAX_NAME
        || r.getLastError().length() > MAX_ERROR
        || r.getDockerVersion().length() > MAX_NAME) return false;
    for (ContainerStatus c : r.getContainersList()) if (!fits(c)) return false;
    return true;
  }

  private static boolean fits(ContainerStatus c) {
    return c.getApp().length() <= MAX_NAME
        && c.getVersion().length() <= MAX_NAME
        && c.getContainerId().length() <= MAX_NAME
        && c.getState().length() <= MAX_NAME
        && c.getRevision().length() <= MAX_NAME
        && c.getSpecHash().length() <= MAX_NAME
        && c.getLastError().length() <= MAX_ERROR;
  }

  static String cut(String text, int max) {
    return BoundedText.cut(text, max);
  }
}
