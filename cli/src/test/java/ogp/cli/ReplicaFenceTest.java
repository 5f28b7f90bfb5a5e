package ogp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import ogp.cluster.FencedStore;
import ogp.cluster.Leader;
import ogp.cluster.Leadership;
import ogp.cluster.Member;
import org.junit.jupiter.api.Test;

/**
 * The fence of one term (pure logic over a leadership's answers): it stamps the epoch it was made
 * with and commands only while the leadership allows it at that very epoch, never after stop.
 */
class ReplicaFenceTest {
  /** The answers of a leadership, set by the test. */
  private static final class Answers implements Leadership {
    volatile boolean mayCommand = true;
    volatile long epoch = 42;

    @Override
    public boolean mayCommand() {
      return mayCommand;
    }

    @Override
    public long epoch() {
      return epoch;
    }

    @Override
    public Member self() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Leader> leader() {
      return Optional.empty();
    }

    @Override
    public boolean leading() {
      return epoch > 0;
    }

    @Override
    public Duration leaseAge() {
      return Duration.ZERO;
    }

    @Override
    public List<Member> members() {
      return List.of();
    }

    @Override
    public FencedStore store() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void addListener(Listener listener) {}

    @Override
    public void resign() {}

    @Override
    public void close() {}
  }

  @Test
  void aTermCommandsAtItsEpochOnlyWhileTheLeadershipAllowsIt() {
    Answers leadership = new Answers();
    ReplicaFence fence = new ReplicaFence(leadership, 42);
    assertEquals(42, fence.epoch());
    assertTrue(fence.mayCommand());

    leadership.mayCommand = false; // a late keep-alive
    assertFalse(fence.mayCommand());
    leadership.mayCommand = true;
    assertTrue(fence.mayCommand(), "fresh again, same term");

    leadership.epoch = 57; // deposed and elected again: a new term has its own fence
    assertFalse(fence.mayCommand());
    assertEquals(42, fence.epoch(), "frames of this term keep its epoch");
  }

  @Test
  void aStoppedTermNeverCommandsAgain() {
    Answers leadership = new Answers();
    ReplicaFence fence = new ReplicaFence(leadership, 42);
    fence.stop();
    assertFalse(fence.mayCommand());
  }

  @Test
  void aTermNeedsAPositiveEpoch() {
    assertThrows(IllegalArgumentException.class, () -> new ReplicaFence(new Answers(), 0));
  }
}
