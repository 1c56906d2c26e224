/** Runs the allocations assigned to this node: task state machine, restart policy, reconciler, fencing, persistence. */
package gantry.agent.runner;
