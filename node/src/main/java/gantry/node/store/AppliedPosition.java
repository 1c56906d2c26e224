package gantry.node.store;

import java.nio.ByteBuffer;

/** A Raft log position: the term and index of an applied entry. */
public record AppliedPosition(long term, long index) {
  public static final AppliedPosition NONE = new AppliedPosition(0, -1);

  public byte[] encode() {
    return ByteBuffer.allocate(16).putLong(term).putLong(index).array();
  }

  public static AppliedPosition decode(byte[] b) {
    ByteBuffer buf = ByteBuffer.wrap(b);
    return new AppliedPosition(buf.getLong(), buf.getLong());
  }
}
