package gantry.agent.driver.exec;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The last lines of a log file, read from its end so a large log costs no more than its tail. */
final class LogTail {
  /** Reads at most this much from the end; longer lines are cut. */
  private static final int MAX_BYTES = 1 << 20;

  private LogTail() {}

  static String lastLines(Path file, int lines) throws IOException {
    if (lines <= 0 || !Files.exists(file)) {
      return "";
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long length = f.length();
      int n = (int) Math.min(length, MAX_BYTES);
      byte[] buf = new byte[n];
      f.seek(length - n);
      f.readFully(buf);
      int end = n;
      if (end > 0 && buf[end - 1] == '\n') {
        end--; // a trailing newline ends the last line, it does not start a new one
      }
      int start = end;
      int seen = 0;
      while (start > 0) {
        if (buf[start - 1] == '\n' && ++seen == lines) {
          break;
        }
        start--;
      }
      return new String(buf, start, n - start, StandardCharsets.UTF_8);
    }
  }
}
