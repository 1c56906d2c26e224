package gantry.agent.driver.exec;

/**
 * The fields of one {@code /proc/<pid>/stat} line the exec driver uses (see proc(5)).
 *
 * @param startTicks start time since boot in clock ticks; with the pid it names a process
 *     uniquely, which is how a recovered pid is told apart from a reused one
 */
record ProcStat(int pid, String comm, char state, int ppid, int pgrp, int session,
                long utimeTicks, long stimeTicks, long startTicks, long rssPages) {

  /** A zombie or dead entry: the process has ended, only its parent has not reaped it yet. */
  boolean ended() {
    return state == 'Z' || state == 'X' || state == 'x';
  }

  long cpuTicks() {
    return utimeTicks + stimeTicks;
  }

  /**
   * Parses one stat line. {@code comm} may hold spaces and parentheses, so the fields after it
   * are found from the last ')'.
   */
  static ProcStat parse(String line) {
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    if (open < 0 || close < open) {
      throw new IllegalArgumentException("not a /proc stat line: " + line);
    }
    int pid = Integer.parseInt(line.substring(0, open).strip());
    String comm = line.substring(open + 1, close);
    // f[0] is field 3 (state) in proc(5) numbering.
    String[] f = line.substring(close + 2).strip().split(" ");
    return new ProcStat(pid, comm, f[0].charAt(0),
        Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
        Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[19]), Long.parseLong(f[21]));
  }
}
