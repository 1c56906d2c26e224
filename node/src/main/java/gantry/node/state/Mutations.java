package gantry.node.state;

import com.google.protobuf.MessageLite;

/** Where replay writes the durable effects of a record: the current entry's batch. */
public interface Mutations {
  void put(String key, MessageLite value);

  void delete(String key);
}
