package gantry.node.state;

import com.google.protobuf.MessageLite;

/** Replay's durable effects thrown away: for tests that look at the in-memory state only. */
public final class DiscardMutations implements Mutations {
  @Override
  public void put(String key, MessageLite value) {}

  @Override
  public void delete(String key) {}
}
