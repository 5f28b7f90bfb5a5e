package ogp.bench.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class EtcdActivityTest {
  @Test
  void ratesArePerSecondAndTheHighestMemberCountsNotTheirSum() {
    EtcdActivity before =
        new EtcdActivity(
            0,
            List.of(
                new EtcdActivity.Sample(10, 1, 4, 20, 30, 100),
                new EtcdActivity.Sample(10, 1, 4, 20, 30, 0)));
    EtcdActivity after =
        new EtcdActivity(
            10_000_000_000L,
            List.of(
                new EtcdActivity.Sample(13, 2, 6, 24, 35, 150),
                new EtcdActivity.Sample(12, 2, 6, 24, 35, 0)));

    EtcdActivity.Rates r = after.ratesSince(before);

    assertEquals(10, r.seconds(), 1e-9);
    assertEquals(0.4, r.writes(), 1e-9); // 3 puts + 1 delete on the busier member
    assertEquals(0.2, r.txns(), 1e-9);
    assertEquals(0.4, r.revisions(), 1e-9);
    assertEquals(0.5, r.proposals(), 1e-9);
    assertEquals(5, r.leaseRenewals(), 1e-9); // only the raft leader counts keep-alives
  }
}
