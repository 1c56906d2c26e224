package gantry.agent.runner;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Runs an allocation runner's passes one at a time, each on a virtual thread of its own. Between
 * passes it holds no thread, only an entry in the {@link PassTimer} for when the last pass said the
 * next is due; {@link #wake} makes one sooner. A wake-up during a pass is not lost: before the loop
 * lets go, it asks {@code pending} whether work came in, and whether the timer went off meanwhile
 * (a short wait can end before the pass has let go), and if so makes another pass.
 *
 * <p>Memory: each pass's writes are seen by the next, whatever thread it runs on (the passes hand
 * over through one atomic flag).
 */
final class PassLoop {
  /** The work of a pass. */
  interface Body {
    /** One pass; returns the milliseconds until the next (0: at once), or {@link #END}. */
    long pass();
  }

  /** What a pass returns to end the loop. */
  static final long END = -1;

  /** Runs a wake-up after a delay ({@link PassTimer} in the agent). */
  interface Timer {
    Future<?> after(long millis, Runnable wake);
  }

  private final String name;
  private final Body body;
  private final BooleanSupplier pending;
  /** Up while a pass runs or is about to: at most one at a time. */
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final CompletableFuture<Void> end = new CompletableFuture<>();
  private volatile boolean started;
  private volatile boolean ended;
  private final Timer timers;
  private volatile Future<?> timer;
  /** Set by the timer: a wake-up it gave while a pass ran must not be lost. */
  private volatile boolean due;

  /** {@code pending}: true when work waits that a pass must see (a command in a mailbox). */
  PassLoop(String name, Body body, BooleanSupplier pending) {
    this(name, body, pending, PassTimer.SHARED::after);
  }

  PassLoop(String name, Body body, BooleanSupplier pending, Timer timers) {
    this.name = name;
    this.body = body;
    this.pending = pending;
    this.timers = timers;
  }

  /** Makes the first pass. */
  void start() {
    started = true;
    wake();
  }

  /** A pass as soon as possible (the one running, if any, is followed by another). Any thread. */
  void wake() {
    if (started && !ended && scheduled.compareAndSet(false, true)) {
      Thread.ofVirtual().name(name).start(this::run);
    }
  }

  /** Waits for the loop to end; true if it did (or never started) within {@code timeout}. */
  boolean join(Duration timeout) throws InterruptedException {
    if (!started) {
      return true;
    }
    try {
      end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    }
  }

  private void run() {
    due = false;
    long waitMs;
    try {
      waitMs = body.pass();
    } catch (RuntimeException | Error e) {
      finish();
      throw e;
    }
    if (waitMs == END) {
      finish();
      return;
    }
    Future<?> old = timer;
    if (old != null) {
      old.cancel(false);
    }
    timer = waitMs > 0 ? timers.after(waitMs, this::timeUp) : null;
    scheduled.set(false);
    if (waitMs == 0 || due || pending.getAsBoolean()) {
      wake();
    }
  }

  private void timeUp() {
    due = true;
    wake();
  }

  private void finish() {
    ended = true;
    Future<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
    end.complete(null);
  }
}
