package gantry.node.store;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's native library from a copy kept in a directory of the manager's own, written
 * once per build of the library, instead of RocksDB's default way: at every start it forks a
 * shell and {@code ldd} to learn whether the C library is musl, and copies its 17 MB library out
 * of the jar into the temporary directory, where the copy stays whenever the process is killed.
 *
 * <p>The copy is named by the CRC-32 the jar records for the library, so a new build of RocksDB
 * gets a new copy (older ones in the directory are removed). The C library is read from the
 * libraries this process has mapped ({@code /proc/self/maps}). Anything unexpected (no jar, no
 * {@code /proc}, another RocksDB whose internals differ) falls back to RocksDB's own loading.
 */
public final class RocksLibrary {
  private static final Logger LOG = LoggerFactory.getLogger(RocksLibrary.class);

  private RocksLibrary() {}

  /** Loads the library, from (and if needed into) {@code dir}; the first call in a process wins. */
  public static synchronized void load(Path dir) {
    try {
      Optional<Path> lib = extract(dir);
      if (lib.isPresent()) {
        RocksDB.loadLibrary(List.of(lib.get().getParent().toString()));
        return;
      }
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      LOG.warn("RocksDB's native library could not be loaded from {} ({}); extracting it as RocksDB does", dir, e.toString());
    }
    RocksDB.loadLibrary();
  }

  /**
   * The library's copy in {@code dir}, written there first unless a complete copy of this build
   * is there already; empty when it cannot be told which file to use.
   */
  static Optional<Path> extract(Path dir) throws IOException {
    Optional<Boolean> musl = musl(Files.exists(Path.of("/proc/self/maps")) ? Files.readString(Path.of("/proc/self/maps")) : "");
    if (musl.isEmpty() || !tellRocksDb(musl.get())) return Optional.empty();
    String name = Environment.getJniLibraryFileName("rocksdb");
    // RocksDB.loadLibrary(paths) looks in each path for the name it makes of "rocksdbjni"
    // (librocksdbjnijni-linux64.so in RocksDB 11), not the name the library has in its jar.
    String loadedAs = Environment.getJniLibraryFileName("rocksdbjni");
    URL url = RocksDB.class.getClassLoader().getResource(name);
    if (url == null) return Optional.empty();
    URLConnection connection = url.openConnection();
    if (!(connection instanceof JarURLConnection jar)) return Optional.empty();
    JarEntry entry = jar.getJarEntry();
    if (entry.getCrc() < 0 || entry.getSize() < 0) return Optional.empty();
    String build = String.format("%08x-%d", entry.getCrc(), entry.getSize());
    Path target = dir.resolve(build).resolve(loadedAs);
    if (Files.isRegularFile(target) && Files.size(target) == entry.getSize()) return Optional.of(target);
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), loadedAs, ".tmp");
    try (InputStream in = jar.getInputStream()) {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    removeOtherBuilds(dir, build);
    return Optional.of(target);
  }

  /**
   * Whether the C library mapped into this process is musl, from the text of
   * {@code /proc/self/maps}; empty when neither musl nor glibc is seen.
   */
  static Optional<Boolean> musl(String maps) {
    if (maps.contains("ld-musl-") || maps.contains("libc.musl-")) return Optional.of(true);
    if (maps.contains("/libc.so.6") || maps.contains("/libc-2.")) return Optional.of(false);
    return Optional.empty();
  }

  /**
   * Tells RocksDB which C library this is, so that naming its library forks nothing (the answer
   * it would otherwise get from {@code ldd}); false if this RocksDB keeps it elsewhere.
   */
  private static boolean tellRocksDb(boolean musl) {
    try {
      Field f = Environment.class.getDeclaredField("MUSL_LIBC");
      f.setAccessible(true);
      if (f.getType() != Boolean.class) return false;
      f.set(null, musl);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  private static void removeOtherBuilds(Path dir, String keep) {
    try (DirectoryStream<Path> builds = Files.newDirectoryStream(dir)) {
      for (Path b : builds) {
        if (b.getFileName().toString().equals(keep) || !Files.isDirectory(b)) continue;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(b)) {
          for (Path f : files) Files.deleteIfExists(f);
        }
        Files.deleteIfExists(b);
      }
    } catch (IOException e) {
      LOG.warn("could not remove older copies of RocksDB's library in {}: {}", dir, e.toString());
    }
  }
}
