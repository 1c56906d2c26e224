package gantry.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the gantry command tree in-process and keeps what it printed. */
record Cli(int exitCode, String out, String err) {
  static Cli run(String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    var cmd = Gantry.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return new Cli(code, out.toString(), err.toString());
  }
}
