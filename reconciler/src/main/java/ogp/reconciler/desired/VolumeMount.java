package ogp.reconciler.desired;

/** A bind mount, {@code host:container[:ro]}. */
public record VolumeMount(String hostPath, String containerPath, boolean readOnly) {}
