package gantry.node.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.JarURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

class RocksLibraryTest {
  @TempDir Path dir;

  private static long sizeInJar() throws Exception {
    var url = RocksDB.class.getClassLoader().getResource(Environment.getJniLibraryFileName("rocksdb"));
    return ((JarURLConnection) url.openConnection()).getJarEntry().getSize();
  }

  @Test
  void theLibraryIsCopiedOnceAndWholeIntoTheGivenDirectory() throws Exception {
    Path lib = RocksLibrary.extract(dir).orElseThrow();
    assertTrue(lib.startsWith(dir), lib.toString());
    assertEquals(sizeInJar(), Files.size(lib));
    Files.setLastModifiedTime(lib, FileTime.fromMillis(1_000_000));

    assertEquals(lib, RocksLibrary.extract(dir).orElseThrow());
    assertEquals(FileTime.fromMillis(1_000_000), Files.getLastModifiedTime(lib), "a complete copy is not written again");
    try (var files = Files.list(lib.getParent())) {
      assertEquals(1, files.count(), "no temporary file is left beside the copy");
    }
  }

  @Test
  void aTruncatedCopyIsReplacedAndOlderBuildsAreRemoved() throws Exception {
    Path lib = RocksLibrary.extract(dir).orElseThrow();
    Files.write(lib, new byte[] {1, 2, 3});
    Path older = Files.createDirectories(dir.resolve("00000000-17"));
    Files.write(older.resolve(lib.getFileName()), new byte[] {4});

    assertEquals(lib, RocksLibrary.extract(dir).orElseThrow());
    assertEquals(sizeInJar(), Files.size(lib));
    assertFalse(Files.exists(older), "the copy of another build is gone");
  }

  @Test
  void theCLibraryIsReadFromTheProcessMaps() {
    assertEquals(Optional.of(false), RocksLibrary.musl(
        "7f5a1c000000-7f5a1c028000 r--p 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6\n"));
    assertEquals(Optional.of(true), RocksLibrary.musl(
        "7f2c8a400000-7f2c8a414000 r--p 00000000 00:2d 77 /lib/ld-musl-x86_64.so.1\n"));
    assertEquals(Optional.empty(), RocksLibrary.musl("00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/true\n"));
  }
}
