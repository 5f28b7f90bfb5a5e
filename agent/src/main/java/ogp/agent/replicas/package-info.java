/**
 * The server replicas an agent knows ({@code --server a:7070,b:7070}), the one rule for following a
 * replica's redirect to the leader, and the highest leader epoch seen (the agent's half of
 * fencing). Used by the link and by enrolment; depends on neither.
 */
package ogp.agent.replicas;
