package gantry.node.raft;

import gantry.node.state.Mutations;
import gantry.node.store.Keys;
import com.google.protobuf.MessageLite;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/** {@link Mutations} collected into the RocksDB batch of one log entry. */
final class BatchMutations implements Mutations {
  private final WriteBatch batch;

  BatchMutations(WriteBatch batch) {
    this.batch = batch;
  }

  @Override
  public void put(String key, MessageLite value) {
    try {
      batch.put(Keys.bytes(key), value.toByteArray());
    } catch (RocksDBException e) {
      throw new IllegalStateException("batch put " + key, e);
    }
  }

  @Override
  public void delete(String key) {
    try {
      batch.delete(Keys.bytes(key));
    } catch (RocksDBException e) {
      throw new IllegalStateException("batch delete " + key, e);
    }
  }
}
