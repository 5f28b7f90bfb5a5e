package ogp.bench.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What must be undone if the harness JVM exits before a scenario cleaned up itself (a failure, an
 * interrupt): child processes to kill, then the directories they wrote to delete.
 *
 * <p>Policy: one JVM shutdown hook runs every registered action once, newest first, so a process is
 * dead before the directory it wrote is deleted (separate hooks run concurrently, in no order). A
 * scenario that cleans up itself cancels its registration; an action that throws does not stop the
 * others. Registering is only for the harness's own children and temp directories.
 */
public final class ExitCleanup {
  private static final Deque<Registration> actions = new ArrayDeque<>();
  private static boolean hookInstalled;

  private ExitCleanup() {}

  /** Runs {@code action} at JVM exit unless the returned registration is closed first. */
  public static synchronized Registration register(String what, Runnable action) {
    if (!hookInstalled) {
      Runtime.getRuntime().addShutdownHook(new Thread(ExitCleanup::runAll, "ogp-bench-cleanup"));
      hookInstalled = true;
    }
    Registration r = new Registration(what, action);
    actions.push(r);
    return r;
  }

  private static void runAll() {
    List<Registration> pending;
    synchronized (ExitCleanup.class) {
      pending = new ArrayList<>(actions); // newest first: a deque used as a stack iterates so
      actions.clear();
    }
    for (Registration r : pending) {
      try {
        r.action.run();
      } catch (Throwable t) {
        System.err.println("ogp-bench: cleanup of " + r.what + " failed: " + t);
      }
    }
  }

  /** A registered action; closing it means the owner cleaned up and nothing is left to do. */
  public static final class Registration implements AutoCloseable {
    private final String what;
    private final Runnable action;

    private Registration(String what, Runnable action) {
      this.what = what;
      this.action = action;
    }

    @Override
    public void close() {
      synchronized (ExitCleanup.class) {
        actions.remove(this);
      }
    }
  }
}
