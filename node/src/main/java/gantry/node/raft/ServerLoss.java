package gantry.node.raft;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Tells a Raft server Ratis closed on its own from one this peer closed. Ratis closes a
 * peer's division when its log worker or state machine updater fails (Ratis 3.3 did so in a
 * chaos campaign: chaos-tests/findings/2026-11-30-ratis-flush-after-install); the peer then
 * no longer votes, appends or serves reads, and would stay out of the group silently. Every
 * close of the division closes the state machine, which reports here; only a close nobody
 * announced with {@link #closingOnPurpose()} counts as a loss.
 */
final class ServerLoss {
  static final String REASON = "Ratis closed this peer's Raft server on its own (the failure it hit is logged above);"
      + " a restart recovers the peer from its log and snapshot";

  private final AtomicBoolean onPurpose = new AtomicBoolean();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  private volatile String lost;

  /** This peer is about to close its Raft server itself (shutdown, or leaving after a divergence). */
  void closingOnPurpose() {
    onPurpose.set(true);
  }

  /** The state machine was closed, so the division was. */
  void divisionClosed() {
    if (onPurpose.get()) return;
    synchronized (this) {
      if (lost != null) return;
      lost = REASON;
    }
    listeners.forEach(l -> l.accept(REASON));
  }

  /** Calls {@code listener} once when the server is lost (at once if it already was). */
  void onLost(Consumer<String> listener) {
    String already;
    synchronized (this) {
      already = lost;
      if (already == null) listeners.add(listener);
    }
    if (already != null) listener.accept(already);
  }
}
