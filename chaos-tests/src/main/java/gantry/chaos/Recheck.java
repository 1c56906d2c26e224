package gantry.chaos;

import gantry.chaos.checker.LinearizabilityChecker;
import gantry.chaos.checker.Verdict;
import gantry.chaos.history.HistoryFile;
import java.nio.file.Path;

/**
 * Runs the linearizability checker again on a saved history, e.g. a failing run's
 * {@code history.jsonl} (gzip it open first):
 * {@code java -cp ... gantry.chaos.Recheck chaos-tests/target/chaos/RUN/history.jsonl}.
 * Prints the RESULT line and the detail; exits 0 when valid.
 */
public final class Recheck {
  private Recheck() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: Recheck HISTORY.jsonl");
      System.exit(2);
    }
    Verdict v = new LinearizabilityChecker().check(HistoryFile.read(Path.of(args[0])));
    System.out.println("RESULT checker=" + v.checker() + " valid=" + v.valid() + " ops=" + v.ops());
    System.out.println("  " + v.detail());
    System.exit(v.valid() ? 0 : 1);
  }
}
