package gantry.chaos.cluster;

import java.io.IOException;
import java.time.Duration;
import org.testcontainers.containers.Container.ExecResult;

/**
 * Probes one direction of a network path: a TCP connect from inside one container to
 * another's address, with busybox {@code nc} (the image carries a static busybox). A
 * dropped SYN times out; a path that is open either connects or is refused at once (no
 * listener), so only a time-out means the packets did not arrive.
 */
public final class Reachability {
  /** What the connect came to. */
  public enum Outcome { CONNECTED, REFUSED, TIMED_OUT, ERROR }

  /** The outcome and what nc said. */
  public record Probe(Outcome outcome, String output) {}

  private Reachability() {}

  public static Probe tcp(Endpoint from, Endpoint to, Duration timeout) {
    String seconds = String.valueOf(Math.max(1, timeout.toSeconds()));
    try {
      ExecResult r = from.container().execInContainer("/bin/busybox", "nc", "-w", seconds, to.ip(), String.valueOf(to.port()));
      return classify(r.getExitCode(), r.getStdout() + r.getStderr());
    } catch (IOException | RuntimeException e) {
      return new Probe(Outcome.ERROR, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Probe(Outcome.ERROR, "interrupted");
    }
  }

  static Probe classify(int exit, String output) {
    String text = output.strip();
    if (exit == 0) return new Probe(Outcome.CONNECTED, text);
    if (text.contains("refused")) return new Probe(Outcome.REFUSED, text);
    if (text.contains("timed out")) return new Probe(Outcome.TIMED_OUT, text);
    return new Probe(Outcome.ERROR, "exit " + exit + ": " + text);
  }
}
