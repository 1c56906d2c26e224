package gantry.examples.echo;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Burns about {@code millicores} of CPU on one thread: in every 100 ms period it spins for
 * millicores/1000 of it and sleeps the rest. 0 parks the thread. One thread, so at most 1000.
 */
final class CpuBurner implements AutoCloseable {
  static final int MAX_MILLICORES = 1000;
  static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private volatile int millicores;
  private volatile boolean closed;
  private volatile long sink; // keeps the spin from being optimised away
  private final Thread thread;

  CpuBurner(int millicores) {
    check(millicores);
    this.millicores = millicores;
    this.thread = Thread.ofPlatform().daemon().name("echo-burn").start(this::run);
  }

  /** @throws IllegalArgumentException outside 0..1000 */
  void set(int millicores) {
    check(millicores);
    this.millicores = millicores;
    LockSupport.unpark(thread);
  }

  int millicores() {
    return millicores;
  }

  long threadId() {
    return thread.threadId();
  }

  private static void check(int millicores) {
    if (millicores < 0 || millicores > MAX_MILLICORES) {
      throw new IllegalArgumentException("millicores: expected 0.." + MAX_MILLICORES + " (one thread burns), got " + millicores);
    }
  }

  private void run() {
    long x = 1;
    while (!closed) {
      int now = millicores;
      if (now == 0) {
        LockSupport.park(this);
        continue;
      }
      long start = System.nanoTime();
      long busy = PERIOD_NANOS * now / MAX_MILLICORES;
      while (System.nanoTime() - start < busy) x = x * 6364136223846793005L + 1442695040888963407L;
      sink = x;
      long rest = PERIOD_NANOS - (System.nanoTime() - start);
      if (rest > 0) LockSupport.parkNanos(this, rest);
    }
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
  }
}
