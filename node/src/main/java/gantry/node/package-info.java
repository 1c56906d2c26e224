/** The manager peer: wiring of Raft, state, control and RPC. */
package gantry.node;
