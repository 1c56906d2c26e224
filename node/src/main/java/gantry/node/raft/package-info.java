/** The Apache Ratis adapter: state machine, snapshots as RocksDB checkpoints, the batching proposer, the Raft server. */
package gantry.node.raft;
