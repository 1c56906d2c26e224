package gantry.node.guard;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The names of the audit files in a data directory and their rotation: {@code audit.log} is
 * written; when it grows past the limit it becomes {@code audit.log.1}, the old {@code .1}
 * becomes {@code .2}, and so on up to {@code .keep}; the oldest beyond that is deleted.
 *
 * @param dir the manager's data directory
 * @param keep how many rotated files are kept beside {@code audit.log}
 */
record AuditFiles(Path dir, int keep) {
  static final String NAME = "audit.log";

  AuditFiles {
    if (keep < 1) throw new IllegalArgumentException("audit_keep: must be at least 1, got " + keep);
  }

  /** The file being written. */
  Path current() {
    return dir.resolve(NAME);
  }

  /** The rotated file {@code n} (1 = the newest rotated one). */
  Path rotated(int n) {
    return dir.resolve(NAME + "." + n);
  }

  /** The files that exist, oldest first, the current one last. */
  List<Path> oldestFirst() {
    List<Path> files = new ArrayList<>();
    for (int n = keep; n >= 1; n--) {
      if (Files.exists(rotated(n))) files.add(rotated(n));
    }
    if (Files.exists(current())) files.add(current());
    return files;
  }

  /**
   * Shifts every file one place older and the current one to {@code .1}; the caller has closed
   * the current file and opens a new one. The directory is forced so the renames survive a crash.
   */
  void rotate() throws IOException {
    Files.deleteIfExists(rotated(keep));
    for (int n = keep - 1; n >= 1; n--) {
      if (Files.exists(rotated(n))) Files.move(rotated(n), rotated(n + 1), StandardCopyOption.ATOMIC_MOVE);
    }
    if (Files.exists(current())) Files.move(current(), rotated(1), StandardCopyOption.ATOMIC_MOVE);
    forceDirectory();
  }

  /** Makes the directory's entries (a new or renamed file) durable. */
  void forceDirectory() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
