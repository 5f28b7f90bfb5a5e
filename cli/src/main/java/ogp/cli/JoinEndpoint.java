package ogp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import ogp.protocol.files.OwnerOnlyFile;
import ogp.protocol.tls.CaHash;

/**
 * Where agents enrol with a server, as the server records it in its data dir at every start that
 * can enrol ({@value #FILE}): the address agents dial ({@code HOST:PORT}: the name the server
 * certificate gives, and the agent port) and the pin of its CA. {@code ogp tokens create --kind
 * join --print-join-command} reads it, so the join command is printed from the data dir alone.
 *
 * <p>Nothing secret: the file holds no token. Written atomically; a missing or unreadable file is
 * reported with what to do.
 */
record JoinEndpoint(String address, String caHash) {
  static final String FILE = "agent-endpoint.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The line an agent host runs to enrol with {@code token}. */
  String joinCommand(String token) {
    return "ogp agent enroll --server " + address + " --token " + token + " --ca-hash " + caHash;
  }

  void write(Path dataDir) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("address", address);
    root.put("caHash", caHash);
    OwnerOnlyFile.write(dataDir.resolve(FILE), JSON.writeValueAsString(root) + "\n");
  }

  /** The recorded endpoint, or empty when the server never recorded one in this data dir. */
  static Optional<JoinEndpoint> read(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) return Optional.empty();
    try {
      JsonNode root = JSON.readTree(file.toFile());
      String address = root.path("address").asText("");
      Optional<String> pin = CaHash.parse(root.path("caHash").asText(""));
      if (address.isEmpty() || pin.isEmpty()) {
        throw new CommandFailure(
            file + " names no address or no CA pin; start the server again to rewrite it");
      }
      return Optional.of(new JoinEndpoint(address, pin.get()));
    } catch (IOException e) {
      throw new CommandFailure(
          "cannot read "
              + file
              + " ("
              + e.getMessage()
              + "); start the server again to rewrite it");
    }
  }

  /** {@code host:port}, with brackets around an IPv6 address. */
  static String address(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
