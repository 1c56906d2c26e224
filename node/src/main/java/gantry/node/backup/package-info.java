/** Backups: the snapshot file format, saving the replicated state into one and restoring it through Raft. */
package gantry.node.backup;
