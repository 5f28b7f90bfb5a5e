package ogp.agent.runtime;

/**
 * The outcome of a command run inside a container.
 *
 * @param exitCode the command's exit code, or -1 when it did not finish in time
 * @param output the first part of its combined stdout and stderr, for a probe's detail
 */
public record ExecResult(int exitCode, String output) {}
