package ogp.webhook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookSettingsTest {

  @Test
  void secretFileHoldsOneSecretPerNonBlankLineWithSurroundingWhitespaceRemoved(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("webhook-secret");
    Files.writeString(file, "  old-secret \r\n\n\t\nnew-secret\n");

    List<byte[]> secrets = WebhookSettings.readSecretFile(file);

    assertEquals(2, secrets.size());
    assertArrayEquals("old-secret".getBytes(StandardCharsets.UTF_8), secrets.get(0));
    assertArrayEquals("new-secret".getBytes(StandardCharsets.UTF_8), secrets.get(1));
  }

  @Test
  void secretFileWithoutASecretIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("empty-secret");
    Files.writeString(file, "\n  \n");

    var e =
        assertThrows(IllegalArgumentException.class, () -> WebhookSettings.readSecretFile(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void settingsWithoutSecretOrWithANonPositiveCapAreRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> WebhookSettings.of("https://h/r", "main", List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new WebhookSettings("https://h/r", "main", List.of(new byte[] {1}), 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> WebhookSettings.of("https://h/r", " ", List.of(new byte[] {1})));
  }

  @Test
  void defaultCapIsOneMebibyte() {
    assertEquals(
        1 << 20, WebhookSettings.of("https://h/r", "main", List.of(new byte[] {1})).maxBodyBytes());
  }
}
