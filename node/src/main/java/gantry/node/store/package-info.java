/** The applied state on disk (RocksDB): keys, atomic batches with the applied index, checkpoints, digest. */
package gantry.node.store;
