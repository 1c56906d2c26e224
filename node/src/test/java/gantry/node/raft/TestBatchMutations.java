package gantry.node.raft;

import gantry.node.state.Mutations;
import com.google.protobuf.MessageLite;
import org.rocksdb.WriteBatch;

/** Exposes the package-private batch mutations to tests of other packages. */
public final class TestBatchMutations implements Mutations {
  private final BatchMutations delegate;

  public TestBatchMutations(WriteBatch batch) {
    this.delegate = new BatchMutations(batch);
  }

  @Override
  public void put(String key, MessageLite value) {
    delegate.put(key, value);
  }

  @Override
  public void delete(String key) {
    delegate.delete(key);
  }
}
