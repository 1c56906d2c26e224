package gantry.node.backup;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import gantry.v1.SnapshotHeader;
import gantry.v1.StateEntry;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The snapshot file format (version 1), all integers big-endian:
 *
 * <pre>
 * magic      16 bytes  "GANTRY-SNAPSHOT\n"
 * version    u32       1
 * header     u32 length + a SnapshotHeader (protobuf): Raft index and term, entry count, cluster facts
 * entries    header.entries times: u32 key length, key, u32 value length, value (keys strictly ascending)
 * trailer    32 bytes  SHA-256 over every byte before it
 * </pre>
 *
 * <p>{@link #parse} checks all of it and says what is wrong in the exception's message, so a
 * truncated, altered or foreign file is refused before anything is sent or changed.
 */
public final class SnapshotFile {
  static final byte[] MAGIC = "GANTRY-SNAPSHOT\n".getBytes(StandardCharsets.US_ASCII);
  public static final int VERSION = 1;
  static final int SHA_BYTES = 32;

  /** A parsed file: its header, its entries in key order, and its checksum (hex). */
  public record Contents(SnapshotHeader header, List<StateEntry> entries, String sha256, long bytes) {}

  private SnapshotFile() {}

  /** The bytes of a snapshot file holding {@code entries} (in ascending key order) under {@code header}. */
  public static byte[] write(SnapshotHeader header, List<StateEntry> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeInt(VERSION);
      byte[] h = header.toBuilder().setEntries(entries.size()).build().toByteArray();
      out.writeInt(h.length);
      out.write(h);
      for (StateEntry e : entries) {
        out.writeInt(e.getKey().size());
        e.getKey().writeTo(out);
        out.writeInt(e.getValue().size());
        e.getValue().writeTo(out);
      }
      out.flush();
      out.write(sha256().digest(bytes.toByteArray()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Reads and checks a whole file; the exception's message names the first thing wrong. */
  public static Contents parse(byte[] file) throws SnapshotFileException {
    ByteBuffer in = ByteBuffer.wrap(file);
    if (file.length < MAGIC.length + 4) {
      throw new SnapshotFileException("the file is " + file.length + " bytes, too short to be a Gantry snapshot");
    }
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new SnapshotFileException("not a Gantry snapshot file (wrong magic bytes at the start)");
    }
    int version = in.getInt();
    if (version != VERSION) {
      throw new SnapshotFileException("snapshot format version " + version + " is not supported (this gantry reads version "
          + VERSION + ")");
    }
    byte[] headerBytes = field(in, "the header", file.length);
    SnapshotHeader header;
    try {
      header = SnapshotHeader.parseFrom(headerBytes);
    } catch (InvalidProtocolBufferException e) {
      throw new SnapshotFileException("the header is unreadable: " + e.getMessage());
    }
    if (header.getEntries() < 0) throw new SnapshotFileException("the header says " + header.getEntries() + " entries");
    List<StateEntry> entries = new ArrayList<>();
    ByteString previous = null;
    for (long i = 0; i < header.getEntries(); i++) {
      String what = "entry " + (i + 1) + " of " + header.getEntries();
      ByteString key = ByteString.copyFrom(field(in, what + " (its key)", file.length));
      ByteString value = ByteString.copyFrom(field(in, what + " (its value)", file.length));
      if (previous != null && ByteString.unsignedLexicographicalComparator().compare(previous, key) >= 0) {
        throw new SnapshotFileException(what + " is out of key order (\"" + key.toStringUtf8() + "\")");
      }
      previous = key;
      entries.add(StateEntry.newBuilder().setKey(key).setValue(value).build());
    }
    int left = in.remaining();
    if (left < SHA_BYTES) {
      throw new SnapshotFileException("truncated: the SHA-256 trailer is missing " + (SHA_BYTES - left) + " of its "
          + SHA_BYTES + " bytes (the file is " + file.length + " bytes)");
    }
    if (left > SHA_BYTES) {
      throw new SnapshotFileException((left - SHA_BYTES) + " unexpected bytes after the " + header.getEntries()
          + " entries the header announces");
    }
    byte[] stated = Arrays.copyOfRange(file, file.length - SHA_BYTES, file.length);
    MessageDigest sha = sha256();
    sha.update(file, 0, file.length - SHA_BYTES);
    byte[] actual = sha.digest();
    if (!MessageDigest.isEqual(stated, actual)) {
      throw new SnapshotFileException("checksum mismatch: the file says sha256 " + HexFormat.of().formatHex(stated)
          + " but its contents hash to " + HexFormat.of().formatHex(actual) + " (the file was altered or damaged)");
    }
    return new Contents(header, List.copyOf(entries), HexFormat.of().formatHex(actual), file.length);
  }

  /** The SHA-256 (hex) of a whole file's bytes, as a user's sha256sum shows it. */
  public static String fileSha256(byte[] file) {
    return HexFormat.of().formatHex(sha256().digest(file));
  }

  private static byte[] field(ByteBuffer in, String what, int fileLength) throws SnapshotFileException {
    if (in.remaining() < 4) {
      throw new SnapshotFileException("truncated: the file ends (at " + fileLength + " bytes) before the length of " + what);
    }
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new SnapshotFileException("truncated: " + what + " is " + Integer.toUnsignedString(length) + " bytes but the file has "
          + in.remaining() + " left (the file is " + fileLength + " bytes)");
    }
    byte[] b = new byte[length];
    in.get(b);
    return b;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
