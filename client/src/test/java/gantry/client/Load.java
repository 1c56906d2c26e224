package gantry.client;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/** Threads calling in a loop until stopped, keeping who answered (in order) and what failed. */
final class Load {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final List<String> answers = new ArrayList<>();
  private final List<Status> failures = new ArrayList<>();

  Load(int threadCount, Supplier<String> call) {
    for (int i = 0; i < threadCount; i++) {
      threads.add(Thread.ofPlatform().daemon().name("load-" + i).start(() -> {
        while (running.get()) {
          try {
            String name = call.get();
            synchronized (this) {
              answers.add(name);
            }
          } catch (io.grpc.StatusRuntimeException e) {
            synchronized (this) {
              failures.add(e.getStatus());
            }
          }
        }
      }));
    }
  }

  synchronized long succeeded() {
    return answers.size();
  }

  synchronized List<Status> failed() {
    return List.copyOf(failures);
  }

  /** Whether {@code name} answered any call from the {@code from}-th success on. */
  synchronized boolean answeredBy(String name, long from) {
    return answers.subList((int) Math.min(from, answers.size()), answers.size()).contains(name);
  }

  void stop() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) thread.join(10_000);
  }
}
