package gantry.agent.driver.exec;

import java.util.List;

/**
 * Every process of one task: the session its leader opened with setsid(1). Children, grandchildren
 * and orphans re-parented to init all keep the session id, so signalling the session's members
 * reaches the whole tree even after the leader has exited.
 */
record ProcessSession(long leaderPid, long leaderStartTicks) {

  List<ProcStat> members(ProcFs proc) {
    return proc.sessionMembers(leaderPid, leaderStartTicks);
  }

  /** The members as one walk of /proc found them. */
  List<ProcStat> members(ProcessTable table) {
    return table.sessionMembers(leaderPid, leaderStartTicks);
  }

  boolean isEmpty(ProcFs proc) {
    return members(proc).isEmpty();
  }

  /** Sends SIGTERM ({@code force=false}) or SIGKILL to every member; returns how many were signalled. */
  int signal(ProcFs proc, boolean force) {
    int signalled = 0;
    for (ProcStat member : members(proc)) {
      var handle = ProcessHandle.of(member.pid());
      if (handle.isPresent()) {
        boolean sent = force ? handle.get().destroyForcibly() : handle.get().destroy();
        if (sent) {
          signalled++;
        }
      }
    }
    return signalled;
  }

  /**
   * Waits until the session has no live member or {@code timeoutNanos} passed; a member that forks
   * while we wait is found by the next scan. Returns true if the session is empty.
   */
  boolean awaitEmpty(ProcFs proc, long timeoutNanos, boolean keepKilling) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (true) {
      if (keepKilling) {
        signal(proc, true);
      }
      if (isEmpty(proc)) {
        return true;
      }
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(20);
    }
  }
}
