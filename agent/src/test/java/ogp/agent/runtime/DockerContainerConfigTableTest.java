package ogp.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.command.CreateContainerCmdImpl;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.PortMapping;
import ogp.protocol.v1.VolumeMount;
import org.junit.jupiter.api.Test;

/**
 * Guards the route ContainerSpec → docker-java: every field of the spec (and of its ports and
 * volumes) reaches the container's create command — its image, configuration or OGP labels — unless
 * it is listed here as deliberately handled elsewhere. A field added to the protocol but never
 * mapped in {@link DockerContainerConfig} fails here instead of being silently ignored.
 */
class DockerContainerConfigTableTest {
  /** Fields the create command does not carry, and where they are handled instead. */
  private static final Map<String, String> HANDLED_ELSEWHERE =
      Map.of(
          "state", "the run state: the converger starts or stops the container",
          "health", "the probe: the agent's own prober runs it, not Docker's HEALTHCHECK");

  private static final ContainerSpec BASE =
      ContainerSpec.newBuilder()
          .setApp("web")
          .setInstance(0)
          .setImage("127.0.0.1:5000/demo/web")
          .setVersion("41")
          .addPorts(
              PortMapping.newBuilder().setHostPort(8081).setContainerPort(8080).setProtocol("tcp"))
          .addVolumes(VolumeMount.newBuilder().setHostPath("/srv/web").setContainerPath("/data"))
          .setRevision("r1")
          .setSpecHash("0123")
          .build();

  /**
   * One change per leaf field path; a new field without one fails {@link
   * #everyFieldIsMappedOrHandledElsewhere}.
   */
  private static final Map<String, UnaryOperator<ContainerSpec.Builder>> CHANGE =
      Map.ofEntries(
          Map.entry("app", b -> b.setApp("api")),
          Map.entry("instance", b -> b.setInstance(1)),
          Map.entry("image", b -> b.setImage("127.0.0.1:5000/demo/api")),
          Map.entry("version", b -> b.setVersion("42")),
          Map.entry("command", b -> b.addCommand("sleep")),
          Map.entry("entrypoint", b -> b.addEntrypoint("/bin/sh")),
          Map.entry("env", b -> b.putEnv("GREETING", "hello")),
          Map.entry(
              "ports.host_port", b -> b.setPorts(0, b.getPorts(0).toBuilder().setHostPort(9090))),
          Map.entry(
              "ports.container_port",
              b -> b.setPorts(0, b.getPorts(0).toBuilder().setContainerPort(9090))),
          Map.entry(
              "ports.protocol", b -> b.setPorts(0, b.getPorts(0).toBuilder().setProtocol("udp"))),
          Map.entry(
              "ports.host_ip",
              b -> b.setPorts(0, b.getPorts(0).toBuilder().setHostIp("127.0.0.1"))),
          Map.entry(
              "volumes.host_path",
              b -> b.setVolumes(0, b.getVolumes(0).toBuilder().setHostPath("/srv/api"))),
          Map.entry(
              "volumes.container_path",
              b -> b.setVolumes(0, b.getVolumes(0).toBuilder().setContainerPath("/other"))),
          Map.entry(
              "volumes.read_only",
              b -> b.setVolumes(0, b.getVolumes(0).toBuilder().setReadOnly(true))),
          Map.entry("restart", b -> b.setRestart(ContainerSpec.Restart.NO)),
          Map.entry("revision", b -> b.setRevision("r2")),
          Map.entry("spec_hash", b -> b.setSpecHash("4567")));

  @Test
  void everyFieldIsMappedOrHandledElsewhere() {
    Set<String> covered = new TreeSet<>(CHANGE.keySet());
    covered.addAll(HANDLED_ELSEWHERE.keySet());
    assertEquals(
        leafFields(ContainerSpec.getDescriptor(), ""),
        covered,
        "map each new ContainerSpec field in DockerContainerConfig and give it a change here,"
            + " or say where it is handled in HANDLED_ELSEWHERE");
  }

  @Test
  void eachMappedFieldChangesTheCreateCommand() throws Exception {
    String base = createCommand(BASE);
    for (var change : CHANGE.entrySet()) {
      ContainerSpec changed = change.getValue().apply(BASE.toBuilder()).build();
      assertNotEquals(BASE, changed, change.getKey() + ": the change must change the spec");
      assertFalse(
          base.equals(createCommand(changed)),
          change.getKey() + " never reaches docker-java: map it in DockerContainerConfig");
    }
  }

  @Test
  void aFieldHandledElsewhereLeavesTheCreateCommandAlone() throws Exception {
    ContainerSpec stopped =
        BASE.toBuilder()
            .setState(ContainerSpec.RunState.STOPPED)
            .setHealth(ogp.protocol.v1.HealthCheck.newBuilder().setTcpPort(8080))
            .build();
    assertEquals(createCommand(BASE), createCommand(stopped));
  }

  /** docker-java's own mapper: the JSON it sends to the engine. */
  private static final ObjectMapper DOCKER_JSON =
      DefaultDockerClientConfig.createDefaultConfigBuilder().build().getObjectMapper();

  /** The create command as the Docker API would receive it, serialised, with the OGP labels. */
  private static String createCommand(ContainerSpec spec) throws Exception {
    CreateContainerCmd cmd =
        new CreateContainerCmdImpl(c -> null, null, ImageReference.of(spec).toString())
            .withLabels(DockerContainerConfig.labels(spec));
    return DOCKER_JSON.writeValueAsString(DockerContainerConfig.apply(spec, cmd));
  }

  /**
   * Dotted paths of every scalar, repeated scalar and map field; messages are entered, except those
   * handled elsewhere.
   */
  private static Set<String> leafFields(Descriptor message, String prefix) {
    Set<String> paths = new TreeSet<>();
    for (FieldDescriptor field : message.getFields()) {
      String path = prefix + field.getName();
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && !field.isMapField()
          && !HANDLED_ELSEWHERE.containsKey(path)) {
        paths.addAll(leafFields(field.getMessageType(), path + "."));
      } else {
        paths.add(path);
      }
    }
    return paths;
  }
}
