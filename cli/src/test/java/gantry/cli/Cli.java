package gantry.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the gantry command tree in-process and keeps what it printed. */
record Cli(int exitCode, String out, String err) {
  /** Runs the command against the managers at {@code address} (its {@code --address}). */
  static Cli runAt(String address, String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--address";
    all[args.length + 1] = address;
    return run(all);
  }

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
