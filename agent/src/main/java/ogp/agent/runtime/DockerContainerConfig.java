package ogp.agent.runtime;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ogp.protocol.SpecHash;
import ogp.protocol.v1.ContainerSpec;
import ogp.protocol.v1.PortMapping;
import ogp.protocol.v1.VolumeMount;

/**
 * How a {@link ContainerSpec} becomes a Docker container's configuration: the OGP labels, ports
 * (host:container/proto on all host addresses), env, read-only or read-write bind mounts, command
 * and entrypoint only when given (otherwise the image's own), and the restart policy ({@code
 * RESTART_UNSPECIFIED} means unless-stopped, the spec's default).
 */
final class DockerContainerConfig {
  private DockerContainerConfig() {}

  static Map<String, String> labels(ContainerSpec spec) {
    Map<String, String> labels = new TreeMap<>();
    labels.put(OgpLabels.MANAGED, "true");
    labels.put(OgpLabels.APP, spec.getApp());
    labels.put(OgpLabels.INSTANCE, Integer.toString(spec.getInstance()));
    labels.put(OgpLabels.VERSION, spec.getVersion());
    labels.put(OgpLabels.REVISION, spec.getRevision());
    labels.put(
        OgpLabels.SPEC_HASH, spec.getSpecHash().isEmpty() ? SpecHash.of(spec) : spec.getSpecHash());
    return labels;
  }

  static CreateContainerCmd apply(ContainerSpec spec, CreateContainerCmd cmd) {
    List<ExposedPort> exposed = new ArrayList<>();
    Ports bindings = new Ports();
    for (PortMapping port : spec.getPortsList()) {
      ExposedPort containerPort =
          "udp".equalsIgnoreCase(port.getProtocol())
              ? ExposedPort.udp(port.getContainerPort())
              : ExposedPort.tcp(port.getContainerPort());
      exposed.add(containerPort);
      bindings.bind(
          containerPort,
          port.getHostIp().isEmpty()
              ? Ports.Binding.bindPort(port.getHostPort())
              : Ports.Binding.bindIpAndPort(port.getHostIp(), port.getHostPort()));
    }
    List<Bind> binds = new ArrayList<>();
    for (VolumeMount volume : spec.getVolumesList()) {
      binds.add(
          new Bind(
              volume.getHostPath(),
              new Volume(volume.getContainerPath()),
              volume.getReadOnly() ? AccessMode.ro : AccessMode.rw));
    }
    List<String> env = new ArrayList<>();
    new TreeMap<>(spec.getEnvMap()).forEach((key, value) -> env.add(key + "=" + value));

    cmd.withEnv(env)
        .withExposedPorts(exposed)
        .withHostConfig(
            HostConfig.newHostConfig()
                .withPortBindings(bindings)
                .withBinds(binds)
                .withRestartPolicy(restartPolicy(spec.getRestart())));
    if (spec.getCommandCount() > 0) {
      cmd.withCmd(spec.getCommandList());
    }
    if (spec.getEntrypointCount() > 0) {
      cmd.withEntrypoint(spec.getEntrypointList());
    }
    return cmd;
  }

  static RestartPolicy restartPolicy(ContainerSpec.Restart restart) {
    return switch (restart) {
      case NO -> RestartPolicy.noRestart();
      case ON_FAILURE -> RestartPolicy.onFailureRestart(0);
      case ALWAYS -> RestartPolicy.alwaysRestart();
      case UNLESS_STOPPED, RESTART_UNSPECIFIED, UNRECOGNIZED ->
          RestartPolicy.unlessStoppedRestart();
    };
  }
}
