/** The agent's own Prometheus endpoint ({@code gantry agent --http-addr}): its allocations' use, computed at each scrape. */
package gantry.agent.metrics;
