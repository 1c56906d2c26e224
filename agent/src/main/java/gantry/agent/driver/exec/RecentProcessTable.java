package gantry.agent.driver.exec;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One walk of {@code /proc} shared by the stats samples that want it at about the same time. A walk
 * reads every process's stat file, so a sample per task walking on its own made 50 tasks read the
 * whole process table 50 times per metrics round; samples now take the latest table when it was
 * walked recently enough, and one caller walks while the others wait for its table.
 *
 * <p>Only for measuring: stopping and signalling a task walk afresh ({@link ProcFs#sessionMembers}).
 */
final class RecentProcessTable {
  private final ProcFs proc;
  private final ReentrantLock walking = new ReentrantLock();
  private volatile ProcessTable latest;

  RecentProcessTable(ProcFs proc) {
    this.proc = proc;
  }

  /** A table whose walk began at or after {@code notBeforeNanos} ({@link System#nanoTime()}). */
  ProcessTable takenSince(long notBeforeNanos) {
    ProcessTable t = latest;
    if (t != null && t.takenNanos() - notBeforeNanos >= 0) {
      return t;
    }
    walking.lock();
    try {
      t = latest;
      if (t == null || t.takenNanos() - notBeforeNanos < 0) {
        t = proc.table();
        latest = t;
      }
      return t;
    } finally {
      walking.unlock();
    }
  }
}
