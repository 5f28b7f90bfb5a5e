package ogp.reconciler.desired;

/** A published port, {@code host:container[/tcp|udp]}; protocol is "tcp" or "udp". */
public record PortMapping(int hostPort, int containerPort, String protocol) {}
