package ogp.reconciler.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The documents of a file as spans of its text: what a revert of one app may touch. */
class AppDocumentsTest {
  private static final String FILE =
      """
      # header of the file
      app: a
      version: "1"
      ---
      # about b
      app: b
      version: "2"
      ...
      # about c, after an explicit end
      ---
      app: c
      version: "3"
      # trailing comment
      """;

  @Test
  void eachDocumentRunsFromItsSeparatorLineToTheNextWithTheCommentsBeforeIt() {
    AppDocuments documents = AppDocuments.of("f.yaml", utf8(FILE));

    assertEquals(
        Optional.of("# header of the file\napp: a\nversion: \"1\"\n"), documents.document("a"));
    assertEquals(
        Optional.of("---\n# about b\napp: b\nversion: \"2\"\n...\n"), documents.document("b"));
    assertEquals(
        Optional.of(
            "# about c, after an explicit end\n---\napp: c\nversion: \"3\"\n# trailing comment\n"),
        documents.document("c"));
    assertEquals(Optional.empty(), documents.document("d"));
  }

  @Test
  void replacingOneDocumentLeavesEveryOtherByteAsItWas() {
    String crlf = "\uFEFFapp: a\r\nversion: \"1\"\r\n---\r\napp: b\r\nversion: \"2\"\r\n";
    AppDocuments documents = AppDocuments.of("f.yaml", utf8(crlf));

    byte[] edited = documents.with("b", "---\r\napp: b\r\nversion: \"3\"\r\n").orElseThrow();

    assertEquals(crlf.replace("\"2\"", "\"3\""), new String(edited, StandardCharsets.UTF_8));
  }

  @Test
  void removingADocumentKeepsTheOthersAndRemovingTheLastOneRemovesTheFile() {
    AppDocuments documents = AppDocuments.of("f.yaml", utf8(FILE));

    assertEquals(
        FILE.replace("---\n# about b\napp: b\nversion: \"2\"\n...\n", ""),
        new String(documents.with("b", "").orElseThrow(), StandardCharsets.UTF_8));
    assertEquals(
        Optional.empty(),
        AppDocuments.of("f.yaml", utf8("# only\napp: a\nversion: \"1\"\n---\n")).with("a", ""),
        "an empty document left behind is nothing");
  }

  @Test
  void textThatIsNotYamlIsRefusedNamingTheFile() {
    ChangeRefused refused =
        assertThrows(
            ChangeRefused.class, () -> AppDocuments.of("f.yaml at 1234567", utf8("a: [1, 2\n")));
    assertTrue(
        refused.getMessage().startsWith("f.yaml at 1234567 is not valid YAML: "),
        refused.getMessage());
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
