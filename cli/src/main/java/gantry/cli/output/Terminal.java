package gantry.cli.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one place that decides whether the CLI's standard output is a terminal, where progress may be
 * redrawn in place with ANSI escapes. Anything else (a pipe, a file, CI logs, tests) gets plain
 * lines, which read well in a log and diff well in a test.
 *
 * <p>The system property {@value #PROPERTY} ({@code true} or {@code false}) overrides the
 * detection: tests set it, and a user whose terminal mangles the escapes can pass
 * {@code GANTRY_JAVA_OPTS=-Dgantry.terminal=false} to the launcher.
 */
public final class Terminal {
  public static final String PROPERTY = "gantry.terminal";

  private Terminal() {}

  /** Whether standard output is a terminal that understands cursor movement. */
  public static boolean stdoutIsTerminal() {
    String forced = System.getProperty(PROPERTY);
    if (forced != null) return Boolean.parseBoolean(forced.strip());
    String term = System.getenv("TERM");
    // No TERM, or one that declares it cannot move the cursor (Emacs shells, some CI runners).
    if (term == null || term.isEmpty() || term.equals("dumb")) return false;
    return stdoutIsTty();
  }

  // Linux (the platform Gantry ships for) says where fd 1 leads. System.console() is the fallback
  // only: it needs stdin to be a terminal too, and on some JDKs it answers even for a pipe.
  private static boolean stdoutIsTty() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }
}
