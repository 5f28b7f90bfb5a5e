package ogp.agent.runtime;

/**
 * The Docker engine as it described itself, and the API version the client is pinned to.
 *
 * @param version the engine's version, e.g. {@code 20.10.24}
 * @param apiVersion the highest API version the engine speaks
 * @param minApiVersion the lowest API version the engine accepts
 * @param negotiatedApiVersion the version every request of this agent uses
 */
public record EngineInfo(
    String version, String apiVersion, String minApiVersion, String negotiatedApiVersion) {}
