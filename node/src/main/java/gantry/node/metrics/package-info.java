/** The manager's own event metrics (Raft apply, scheduling, plans, agent sessions), recorded where they happen and scraped by {@code http/}. */
package gantry.node.metrics;
