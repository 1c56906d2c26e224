package gantry.cli;

import gantry.cli.output.Terminal;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs the gantry command tree in-process and keeps what it printed. Output is not a terminal
 * (plain progress lines) unless the test asks for one with {@link #runAtTerminal}, whatever the
 * JVM running the tests is attached to.
 */
record Cli(int exitCode, String out, String err) {
  /** Runs the command against the managers at {@code address} (its {@code --address}). */
  static Cli runAt(String address, String... args) {
    return run(false, withAddress(address, args));
  }

  /** As {@link #runAt}, with stdout taken for a terminal: progress is redrawn in place with ANSI escapes. */
  static Cli runAtTerminal(String address, String... args) {
    return run(true, withAddress(address, args));
  }

  static Cli run(String... args) {
    return run(false, args);
  }

  private static String[] withAddress(String address, String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--address";
    all[args.length + 1] = address;
    return all;
  }

  private static Cli run(boolean terminal, String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    var cmd = Gantry.commandLineFor(args);
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    String before = System.getProperty(Terminal.PROPERTY);
    System.setProperty(Terminal.PROPERTY, String.valueOf(terminal));
    try {
      int code = cmd.execute(args);
      return new Cli(code, out.toString(), err.toString());
    } finally {
      if (before == null) {
        System.clearProperty(Terminal.PROPERTY);
      } else {
        System.setProperty(Terminal.PROPERTY, before);
      }
    }
  }
}
