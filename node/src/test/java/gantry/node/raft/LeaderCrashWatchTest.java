package gantry.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;

class LeaderCrashWatchTest {
  private static RaftPeerId id(String s) {
    return RaftPeerId.valueOf(s);
  }

  /** The turn of {@code self} among followers whose last entries are given; null: did not answer. */
  private static int turn(String self, Map<String, TermIndex> logs) {
    Map<RaftPeerId, TermIndex> others = new HashMap<>();
    logs.forEach((k, v) -> {
      if (!k.equals(self)) others.put(id(k), v);
    });
    return LeaderCrashWatch.turn(logs.get(self), id(self), others);
  }

  @Test
  void theFollowerWithTheLongestLogStandsFirstWhateverItsId() {
    Map<String, TermIndex> logs = Map.of("m1", TermIndex.valueOf(3, 40), "m2", TermIndex.valueOf(3, 41));
    assertEquals(List.of(1, 0), List.of(turn("m1", logs), turn("m2", logs)));
  }

  @Test
  void aNewerTermOutranksAHigherIndex() {
    Map<String, TermIndex> logs = Map.of("m1", TermIndex.valueOf(2, 90), "m2", TermIndex.valueOf(3, 41));
    assertEquals(List.of(1, 0), List.of(turn("m1", logs), turn("m2", logs)));
  }

  @Test
  void equalLogsTakeTurnsByIdAndEachHasATurnOfItsOwn() {
    Map<String, TermIndex> logs = Map.of("m4", TermIndex.valueOf(3, 41), "m2", TermIndex.valueOf(3, 41),
        "m5", TermIndex.valueOf(3, 40), "m3", TermIndex.valueOf(3, 41));
    assertEquals(List.of(0, 1, 2, 3), List.of(turn("m2", logs), turn("m3", logs), turn("m4", logs), turn("m5", logs)));
  }

  @Test
  void aFollowerThatDoesNotAnswerIsNotWaitedFor() {
    Map<String, TermIndex> logs = new HashMap<>(Map.of("m2", TermIndex.valueOf(3, 41)));
    logs.put("m1", null);
    assertEquals(0, turn("m2", logs));
  }
}
