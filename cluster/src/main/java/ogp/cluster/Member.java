package ogp.cluster;

import java.net.URI;

/**
 * One {@code ogp server} replica as the others see it (the value of its member key and, while it
 * leads, of the leader key, as JSON): its id and where agents and users reach it.
 *
 * @param id the replica's name ({@code --member-id}, the host name by default)
 * @param agentAddress {@code host:port} agents dial for this replica's agent link
 * @param httpUrl the replica's advertised base URL for the API, webhooks and the portal
 */
public record Member(String id, String agentAddress, URI httpUrl) {}
