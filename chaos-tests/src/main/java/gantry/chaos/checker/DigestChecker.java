package gantry.chaos.checker;

import java.util.Map;
import java.util.TreeMap;

/**
 * All managers applied the same state: after healing, each peer's GetStateDigest (a
 * linearizable read) must answer, and all answers must be equal.
 */
public final class DigestChecker {
  public static final String NAME = "digests-equal";

  /** A peer's answer: its digest and applied index, or the error it gave instead. */
  public record Answer(String digest, long appliedIndex, String error) {
    public static Answer of(String digest, long appliedIndex) {
      return new Answer(digest, appliedIndex, "");
    }

    public static Answer failed(String error) {
      return new Answer("", 0, error);
    }
  }

  public Verdict check(Map<String, Answer> answers) {
    Map<String, Answer> sorted = new TreeMap<>(answers);
    if (sorted.isEmpty()) return new Verdict(NAME, false, 0, "no peer answered");
    long distinct = sorted.values().stream().map(Answer::digest).distinct().count();
    boolean failed = sorted.values().stream().anyMatch(a -> !a.error().isEmpty());
    StringBuilder b = new StringBuilder();
    sorted.forEach((peer, a) -> b.append(b.isEmpty() ? "" : ", ").append(peer).append('=')
        .append(a.error().isEmpty() ? abbrev(a.digest()) + "@" + a.appliedIndex() : "error " + a.error()));
    return new Verdict(NAME, !failed && distinct == 1, sorted.size(), b.toString());
  }

  private static String abbrev(String digest) {
    return digest.length() > 12 ? digest.substring(0, 12) : digest;
  }
}
