package ogp.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;

/**
 * A {@link Member} as the JSON value of its member key and of the leader key: {@code {"id": …,
 * "agentAddress": …, "httpUrl": …}}. Reading is lenient about new fields (a newer replica may add
 * some) and strict about the three this version needs; anything else is "not a member".
 */
final class MemberJson {
  /** A member value is a few hundred bytes; anything far larger is not one of ours. */
  static final int MAX_BYTES = 16 * 1024;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private MemberJson() {}

  static byte[] write(Member member) {
    try {
      return MAPPER.writeValueAsBytes(member);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write member " + member.id() + " as JSON", e);
    }
  }

  /** The member in a key's value; empty when the value is not a valid member. */
  static Optional<Member> read(byte[] json) {
    if (json == null || json.length == 0 || json.length > MAX_BYTES) return Optional.empty();
    try {
      Member member = MAPPER.readValue(json, Member.class);
      if (member == null
          || member.id() == null
          || member.id().isBlank()
          || member.agentAddress() == null
          || member.agentAddress().isBlank()
          || member.httpUrl() == null
          || !member.httpUrl().isAbsolute()) return Optional.empty();
      return Optional.of(member);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
