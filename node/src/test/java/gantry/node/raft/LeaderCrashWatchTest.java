package gantry.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

class LeaderCrashWatchTest {
  private static final List<RaftPeerId> FIVE =
      List.of("m3", "m1", "m5", "m2", "m4").stream().map(RaftPeerId::valueOf).toList();

  private static int turn(String leader, String self) {
    return LeaderCrashWatch.turn(FIVE, RaftPeerId.valueOf(leader), RaftPeerId.valueOf(self));
  }

  @Test
  void theFollowersOfAGoneLeaderTakeTurnsByIdWithoutCountingTheLeader() {
    assertEquals(List.of(0, 1, 2, 3), List.of(turn("m3", "m1"), turn("m3", "m2"), turn("m3", "m4"), turn("m3", "m5")));
    assertEquals(List.of(0, 1, 2, 3), List.of(turn("m1", "m2"), turn("m1", "m3"), turn("m1", "m4"), turn("m1", "m5")));
  }

  @Test
  void everyFollowerHasATurnOfItsOwn() {
    for (RaftPeerId leader : FIVE) {
      var turns = FIVE.stream().filter(p -> !p.equals(leader)).map(p -> LeaderCrashWatch.turn(FIVE, leader, p)).sorted().toList();
      assertEquals(List.of(0, 1, 2, 3), turns, "leader " + leader);
    }
  }
}
