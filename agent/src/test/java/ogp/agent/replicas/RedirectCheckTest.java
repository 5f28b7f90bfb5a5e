package ogp.agent.replicas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ogp.protocol.v1.Redirect;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedirectCheckTest {
  private static final List<ServerAddress> LIST =
      ServerAddress.parseList("a.example:7070,B.example:7070,c.example:7070");

  @ParameterizedTest(name = "{0} at {1} with {2} seen: {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "b.example:7070 | 7 | 7 | followed to B.example:7070",
        "B.EXAMPLE:7070 | 8 | 7 | followed to B.example:7070",
        "b.example:7070 | 1 | 0 | followed to B.example:7070",
        "b.example:7070 | 0 | 0 | followed to B.example:7070",
        "b.example:7071 | 9 | 7 | to \"b.example:7071\": not in --server list",
        "evil.example:7070 | 9 | 7 | to \"evil.example:7070\": not in --server list",
        "'b.example:7070\nforged' | 9 | 7 | to \"b.example:7070\\u000aforged\": not in --server list",
        "10.0.0.2:7070 | 9 | 7 | not in --server list",
        "b.example:7070 | 3 | 7 | to \"b.example:7070\": stale epoch 3 < 7",
        "b.example:7070 | 0 | 7 | stale epoch 0 < 7",
      })
  void aRedirectIsFollowedOnlyWithinTheListAndAtAnEpochNotBelowTheHighest(
      String address, long epoch, long highest, String expected) {
    RedirectCheck check =
        RedirectCheck.of(
            Redirect.newBuilder().setAgentAddress(address).setEpoch(epoch).build(), LIST, highest);
    if (expected.startsWith("followed to ")) {
      assertTrue(check.followed(), check.refusal());
      assertEquals(expected.substring("followed to ".length()), check.target().get().toString());
    } else {
      assertFalse(check.followed());
      assertTrue(check.refusal().contains(expected), check.refusal());
    }
  }
}
