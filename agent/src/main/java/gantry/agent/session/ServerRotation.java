package gantry.agent.session;

import java.time.Duration;
import java.util.List;

/**
 * Which manager to try next and how long to wait first. Pure and single-threaded (the session
 * calls it under its lock).
 *
 * <ul>
 *   <li>A redirect (the leader's address a follower names) is tried next, at once; more redirects in a row than
 *       there are servers (plus two) count as a failure, which stops two confused peers from
 *       bouncing the agent between them.
 *   <li>After a session broke, the leader it had is tried first.
 *   <li>Otherwise the configured servers are tried in turn. The wait doubles after each full pass
 *       over the list that failed, from {@code initial} up to {@code max}.
 * </ul>
 */
public final class ServerRotation {
  private final List<String> servers;
  private final Duration initial;
  private final Duration max;
  private String lastLeader;
  private String hint;
  private boolean preferLeader;
  private int cursor;
  private int failures;
  private int redirects;

  public ServerRotation(List<String> servers, Duration initial, Duration max) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("at least one manager address is required");
    }
    this.servers = List.copyOf(servers);
    this.initial = initial;
    this.max = max;
  }

  /** The address to try now. */
  public String next() {
    if (hint != null) {
      String h = hint;
      hint = null;
      return h;
    }
    if (preferLeader && lastLeader != null) {
      preferLeader = false;
      return lastLeader;
    }
    String s = servers.get(cursor % servers.size());
    cursor = (cursor + 1) % servers.size();
    return s;
  }

  /** A session opened with {@code address}: it is the leader now. */
  public void opened(String address) {
    lastLeader = address;
    failures = 0;
    redirects = 0;
  }

  /** An open session broke: try its leader first, after the short wait. */
  public Duration broken() {
    preferLeader = true;
    return initial;
  }

  /** {@code address} could not be reached or refused; the wait before the next try. */
  public Duration failed() {
    failures++;
    int passes = (failures - 1) / servers.size();
    long ms = initial.toMillis() << Math.min(passes, 16);
    return Duration.ofMillis(Math.min(ms, max.toMillis()));
  }

  /** A follower named the leader ({@code ""}: unknown); the wait before the next try. */
  public Duration redirected(String leader) {
    redirects++;
    if (leader == null || leader.isEmpty() || redirects > servers.size() + 2) {
      redirects = 0;
      return failed();
    }
    hint = leader;
    return Duration.ZERO;
  }

  /** The leader of the last session, or null. */
  public String lastLeader() {
    return lastLeader;
  }
}
