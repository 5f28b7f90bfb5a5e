package ogp.bench.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's etcd: three real members as child processes, gone without a trace after. */
class EtcdLaunchTest {
  @TempDir Path tmp;

  @Test
  void threeMembersServeMetricsAndLeaveNoProcessOrDirectoryBehind() throws Exception {
    List<URI> urls;
    try (EtcdLaunch etcd =
        EtcdLaunch.start(EtcdLaunch.DEFAULT_BINARY, tmp, 3, Duration.ofSeconds(30))) {
      urls = etcd.clientUrls();
      assertEquals(3, urls.size());
      assertEquals(3, etcd.endpointsFlag().split(",").length);
      for (int i = 0; i < 3; i++) {
        Map<String, Double> m =
            etcd.metrics(i, Set.of("etcd_mvcc_put_total", "etcd_mvcc_delete_total", "no_such"));
        assertEquals(Set.of("etcd_mvcc_put_total", "etcd_mvcc_delete_total"), m.keySet());
      }
      assertEquals(1, children(tmp).size(), "one directory for the cluster's data and logs");
    }
    for (URI url : urls) assertFalse(listening(url), url + " still answers");
    assertTrue(children(tmp).isEmpty(), "the cluster's directory is deleted");
  }

  @Test
  void aMissingBinaryIsOneClearErrorAndStartsNothing() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> EtcdLaunch.start(tmp.resolve("no-etcd"), tmp, 3, Duration.ofSeconds(5)));
    assertTrue(e.getMessage().contains("etcd-server"), e.getMessage());
  }

  private static List<Path> children(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  private static boolean listening(URI url) {
    try (Socket s = new Socket(url.getHost(), url.getPort())) {
      return true;
    } catch (IOException refused) {
      return false;
    }
  }
}
