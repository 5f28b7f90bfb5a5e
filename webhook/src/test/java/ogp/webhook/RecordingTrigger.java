package ogp.webhook;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers every refresh it was asked for; the receivers call it on the request thread. */
final class RecordingTrigger implements RefreshTrigger {
  private final List<PushEvent> calls = new CopyOnWriteArrayList<>();

  @Override
  public void refresh(PushEvent hint) {
    calls.add(hint);
  }

  List<PushEvent> calls() {
    return List.copyOf(calls);
  }
}
