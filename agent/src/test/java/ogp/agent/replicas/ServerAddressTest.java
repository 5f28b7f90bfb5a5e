package ogp.agent.replicas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerAddressTest {
  @Test
  void oneEntryIsAListOfOneAsASingleServerAlwaysWas() {
    assertEquals(
        List.of(new ServerAddress("ogp.example", 7070)),
        ServerAddress.parseList("ogp.example:7070"));
  }

  @Test
  void aListKeepsItsOrderAndToleratesSpacesAroundEntries() {
    assertEquals(
        List.of(
            new ServerAddress("a", 7070),
            new ServerAddress("b", 7071),
            new ServerAddress("::1", 7072)),
        ServerAddress.parseList("a:7070, b:7071 ,[::1]:7072"));
  }

  @Test
  void anIpv6LiteralIsWrittenBackWithItsBrackets() {
    assertEquals("[::1]:7070,a:1", ServerAddress.format(ServerAddress.parseList("[::1]:7070,a:1")));
  }

  @ParameterizedTest(name = "[{0}] {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a:7070,,b:7070 | has an empty entry",
        "a:7070, | has an empty entry",
        "'' | has an empty entry",
        "a | 'a' is not HOST:PORT",
        "a:7070,b | 'b' is not HOST:PORT",
        "a: | 'a:' is not HOST:PORT",
        ":7070 | ':7070' is not HOST:PORT",
        "a:http | 'a:http' is not HOST:PORT",
        "a:0 | 'a:0' is not HOST:PORT",
        "a:65536 | 'a:65536' is not HOST:PORT",
        "::1:7070 | '::1:7070' is not HOST:PORT",
        "a:7070,A:7070 | 'A:7070' is given twice",
        "a:7070,b:1,a:7070 | 'a:7070' is given twice",
      })
  void aBadEntryIsOneSentenceNamingIt(String list, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ServerAddress.parseList(list));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void theSameAddressIsTheSameHostIgnoringCaseAndTheSamePort() {
    List<ServerAddress> list = ServerAddress.parseList("Leader.Example:7070,b:7070");
    assertEquals(
        Optional.of(0), ServerAddress.indexIn(list, ServerAddress.parse("leader.example:7070")));
    assertEquals(
        Optional.empty(), ServerAddress.indexIn(list, ServerAddress.parse("leader.example:7071")));
    assertEquals(
        Optional.empty(), ServerAddress.indexIn(list, ServerAddress.parse("10.0.0.1:7070")));
  }
}
