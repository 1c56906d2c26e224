package gantry.node.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import gantry.v1.SnapshotHeader;
import gantry.v1.StateEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The file format: what is written reads back, and every kind of damage is refused by name. */
class SnapshotFileTest {
  static List<StateEntry> entries(int n) {
    List<StateEntry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(StateEntry.newBuilder().setKey(ByteString.copyFromUtf8(String.format("j/job-%03d", i)))
          .setValue(ByteString.copyFromUtf8("value of job " + i)).build());
    }
    return out;
  }

  static byte[] file() {
    return SnapshotFile.write(SnapshotHeader.newBuilder().setRaftIndex(42).setRaftTerm(3).setSavedBy("m1")
        .addPeers("m1").setJobs(5).build(), entries(5));
  }

  @Test
  void roundTrip() throws Exception {
    byte[] f = file();
    SnapshotFile.Contents c = SnapshotFile.parse(f);
    assertEquals(42, c.header().getRaftIndex());
    assertEquals(3, c.header().getRaftTerm());
    assertEquals(5, c.header().getEntries());
    assertEquals(entries(5), c.entries());
    assertEquals(f.length, c.bytes());
    // The trailer is the SHA-256 of everything before it.
    assertEquals(SnapshotFile.fileSha256(Arrays.copyOf(f, f.length - 32)), c.sha256());
  }

  @Test
  void anEmptyStateRoundTrips() throws Exception {
    byte[] f = SnapshotFile.write(SnapshotHeader.getDefaultInstance(), List.of());
    assertEquals(0, SnapshotFile.parse(f).entries().size());
  }

  @Test
  void everyTruncationIsRefused() {
    byte[] f = file();
    for (int length = 0; length < f.length; length++) {
      byte[] cut = Arrays.copyOf(f, length);
      SnapshotFileException e = assertThrows(SnapshotFileException.class, () -> SnapshotFile.parse(cut), "cut at " + length);
      assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("too short")
          || e.getMessage().contains("checksum"), "cut at " + length + ": " + e.getMessage());
    }
  }

  @Test
  void truncationInsideTheEntriesSaysTruncated() {
    byte[] f = file();
    var e = assertThrows(SnapshotFileException.class, () -> SnapshotFile.parse(Arrays.copyOf(f, f.length - 40)));
    assertTrue(e.getMessage().startsWith("truncated: "), e.getMessage());
  }

  @Test
  void aFlippedByteInAValueFailsTheChecksum() {
    byte[] f = file();
    f[f.length - 40] ^= 0x01;
    var e = assertThrows(SnapshotFileException.class, () -> SnapshotFile.parse(f));
    assertTrue(e.getMessage().startsWith("checksum mismatch"), e.getMessage());
  }

  @Test
  void aFlippedByteInTheTrailerFailsTheChecksum() {
    byte[] f = file();
    f[f.length - 1] ^= 0x80;
    var e = assertThrows(SnapshotFileException.class, () -> SnapshotFile.parse(f));
    assertTrue(e.getMessage().startsWith("checksum mismatch"), e.getMessage());
  }

  @Test
  void wrongMagicIsNotASnapshot() {
    byte[] f = file();
    f[0] = 'X';
    var e = assertThrows(SnapshotFileException.class, () -> SnapshotFile.parse(f));
    assertEquals("not a Gantry snapshot file (wrong magic bytes at the start)", e.getMessage());
  }

  @Test
  void anotherVersionIsNamed() {
    byte[] f = file();
    ByteBuffer.wrap(f).putInt(SnapshotFile.MAGIC.length, 7);
    var e = assertThrows(SnapshotFileException.class, () -> SnapshotFile.parse(f));
    assertEquals("snapshot format version 7 is not supported (this gantry reads version 1)", e.getMessage());
  }

  @Test
  void bytesAfterTheTrailerAreRefused() {
    byte[] f = Arrays.copyOf(file(), file().length + 3);
    var e = assertThrows(SnapshotFileException.class, () -> SnapshotFile.parse(f));
    assertTrue(e.getMessage().startsWith("3 unexpected bytes"), e.getMessage());
  }

  @Test
  void entriesOutOfOrderAreRefused() {
    List<StateEntry> swapped = new ArrayList<>(entries(3));
    java.util.Collections.swap(swapped, 0, 2);
    byte[] f = SnapshotFile.write(SnapshotHeader.getDefaultInstance(), swapped);
    var e = assertThrows(SnapshotFileException.class, () -> SnapshotFile.parse(f));
    assertTrue(e.getMessage().contains("out of key order"), e.getMessage());
  }

  @Test
  void chunksStayUnderTheirBoundAndKeepOrder() {
    List<StateEntry> big = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      big.add(StateEntry.newBuilder().setKey(ByteString.copyFromUtf8(String.format("a/%05d", i)))
          .setValue(ByteString.copyFrom(new byte[10_000])).build());
    }
    List<List<StateEntry>> chunks = SnapshotRestorer.chunks(big);
    assertTrue(chunks.size() > 1);
    List<StateEntry> joined = new ArrayList<>();
    for (var c : chunks) {
      assertTrue(c.stream().mapToInt(e -> e.getSerializedSize() + 8).sum() <= SnapshotRestorer.CHUNK_BYTES);
      joined.addAll(c);
    }
    assertEquals(big, joined);
    assertEquals(1, SnapshotRestorer.chunks(List.of()).size());
  }
}
