package ogp.cli;

import static ogp.cli.OgpRun.ogp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A malformed replica flag of {@code ogp server} is one sentence and exit 2, and nothing is started
 * or made: no data dir, no CA, no etcd connection.
 */
class ClusterFlagsTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--etcd nonsense | must start with http:// or https://",
        "--etcd http://10.0.0.1:2379,https://10.0.0.2:2379 | mixes http and https",
        "--etcd http://10.0.0.1 | needs a host and a port",
        "--etcd http://10.0.0.1:2379,http://10.0.0.1:2379 | twice",
        "--etcd http://u:p@10.0.0.1:2379 | must not carry credentials: use --etcd-user",
        "--etcd http://10.0.0.1:2379 --leader-lease 1s | --leader-lease must be at least 2s",
        "--etcd http://10.0.0.1:2379 --leader-lease soon | is not a duration",
        "--etcd http://10.0.0.1:2379 --etcd-prefix ogp | --etcd-prefix must start and end with '/'",
        "--etcd http://10.0.0.1:2379 --member-id a/b | --member-id",
        "--etcd http://10.0.0.1:2379 --advertise-url ftp://a:21 | is not a base URL",
        "--etcd http://10.0.0.1:2379 --advertise-url http://a:8080/ogp | is not a base URL",
        "--etcd http://10.0.0.1:2379 --advertise-agent-address a | must be HOST:PORT",
        "--etcd http://10.0.0.1:2379 --advertise-agent-address a:70000 | must be HOST:PORT",
        "--etcd http://10.0.0.1:2379 --http-port 0 | --etcd needs fixed ports",
        "--etcd http://10.0.0.1:2379 --etcd-ca-file /no/such/ca.crt | no such file",
        "--etcd https://10.0.0.1:2379 --etcd-user root | --etcd-user and --etcd-password-file go together",
        "--member-id a | --member-id is for replicas and needs --etcd",
        "--leader-lease 5s --advertise-url http://a:1 | --advertise-url, --leader-lease are for replicas",
      })
  void aBadReplicaFlagIsOneSentenceExitTwoAndNothingIsStarted(String flags, String expected) {
    Path dataDir = tmp.resolve("data");
    List<String> args =
        new ArrayList<>(
            List.of(
                "server",
                "--repo",
                tmp.resolve("repo").toString(),
                "--bind",
                "127.0.0.1",
                "--data-dir",
                dataDir.toString()));
    args.addAll(List.of(flags.strip().split(" ")));
    OgpRun run = ogp(args.toArray(String[]::new));
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains(expected), run.err());
    assertTrue(run.err().startsWith("ogp server: "), run.err());
    assertFalse(Files.exists(dataDir), "nothing was made");
  }

  @Test
  void theCertificateOfEtcdNeedsItsKey() throws Exception {
    Path cert = Files.writeString(tmp.resolve("client.crt"), "x");
    OgpRun run =
        ogp(
            "server",
            "--repo",
            tmp.resolve("repo").toString(),
            "--data-dir",
            tmp.resolve("data").toString(),
            "--etcd",
            "https://10.0.0.1:2379",
            "--etcd-cert-file",
            cert.toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("--etcd-cert-file and --etcd-key-file go together"), run.err());
  }
}
