/**
 * The allocation side of a run: a service job on the agent fleet, a host-side sampler of
 * which task processes really run on which agent, and the wait for the job to converge.
 */
package gantry.chaos.fleet;
