package gantry.agent.driver.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads processes from {@code /proc}. A process may vanish between any two reads. */
final class ProcFs {
  private final Path root;
  private final long clockTicksPerSecond;

  ProcFs(Path root) {
    this.root = root;
    this.clockTicksPerSecond = readClockTicks();
  }

  static ProcFs system() {
    return new ProcFs(Path.of("/proc"));
  }

  long clockTicksPerSecond() {
    return clockTicksPerSecond;
  }

  Optional<ProcStat> stat(long pid) {
    try {
      return Optional.of(ProcStat.parse(Files.readString(root.resolve(pid + "/stat"), StandardCharsets.UTF_8)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      // gone mid-read (ESRCH) or unparsable: treat as not there
      return Optional.empty();
    }
  }

  /** True if {@code pid} is the process that started at {@code startTicks} and has not ended. */
  boolean isAlive(long pid, long startTicks) {
    return stat(pid).filter(s -> s.startTicks() == startTicks && !s.ended()).isPresent();
  }

  /** The live processes of a task's session, from a walk made now ({@link ProcessTable#sessionMembers}). */
  List<ProcStat> sessionMembers(long leaderPid, long leaderStartTicks) {
    return table().sessionMembers(leaderPid, leaderStartTicks);
  }

  /** One walk of every process's stat file; a process gone mid-walk is left out. */
  ProcessTable table() {
    long taken = System.nanoTime();
    List<ProcStat> all = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, p -> isNumeric(p.getFileName().toString()))) {
      for (Path dir : dirs) {
        stat(Long.parseLong(dir.getFileName().toString())).ifPresent(all::add);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + root + ": " + e.getMessage(), e);
    }
    return ProcessTable.of(taken, all);
  }

  /** Resident memory in KiB from {@code VmRSS} in {@code /proc/<pid>/status}; 0 if unknown. */
  long rssKiB(long pid) {
    try {
      for (String line : Files.readAllLines(root.resolve(pid + "/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).strip().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone, or a kernel thread without VmRSS
    }
    return 0;
  }

  private static boolean isNumeric(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static long readClockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.waitFor() == 0) {
        return Long.parseLong(out);
      }
    } catch (IOException | RuntimeException e) {
      // fall through to the Linux default
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }
}
