/** Work only the Raft leader does: the evaluation broker, scheduler workers, plan applier, heartbeat monitor, agent sessions. */
package gantry.node.leader;
