package ogp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A member key's value: written as JSON, read back, and anything else is no member. */
class MemberJsonTest {
  @Test
  void aMemberReadsBackAsItWasWritten() {
    Member member = new Member("ogp-1", "10.0.0.1:7070", URI.create("https://ogp-1.example:8443/"));

    assertEquals(Optional.of(member), MemberJson.read(MemberJson.write(member)));
  }

  @Test
  void fieldsOfANewerReplicaAreIgnored() {
    String json =
        "{\"id\":\"a\",\"agentAddress\":\"a:7070\",\"httpUrl\":\"http://a:8080\",\"zone\":\"z1\"}";

    assertEquals(
        Optional.of(new Member("a", "a:7070", URI.create("http://a:8080"))),
        MemberJson.read(json.getBytes(StandardCharsets.UTF_8)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "null",
        "[]",
        "{}",
        "{\"id\":\"a\",\"agentAddress\":\"a:7070\"}",
        "{\"id\":\" \",\"agentAddress\":\"a:7070\",\"httpUrl\":\"http://a:8080\"}",
        "{\"id\":\"a\",\"agentAddress\":\"\",\"httpUrl\":\"http://a:8080\"}",
        "{\"id\":\"a\",\"agentAddress\":\"a:7070\",\"httpUrl\":\"relative/path\"}",
        "{\"id\":\"a\",\"agentAddress\":\"a:7070\",\"httpUrl\":\"http://a b\"}",
        "{\"id\":1,\"agentAddress\":[],\"httpUrl\":{}}",
      })
  void aValueThatIsNoMemberReadsAsNone(String json) {
    assertTrue(MemberJson.read(json.getBytes(StandardCharsets.UTF_8)).isEmpty(), json);
  }

  @Test
  void aHugeValueReadsAsNoneWithoutBeingParsed() {
    byte[] huge = new byte[MemberJson.MAX_BYTES + 1];

    assertTrue(MemberJson.read(huge).isEmpty());
  }
}
