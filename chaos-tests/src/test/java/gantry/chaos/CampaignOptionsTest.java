package gantry.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gantry.chaos.nemesis.Fault;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CampaignOptionsTest {
  @Test
  void parsesTheScriptOptions() {
    var o = Campaign.parse(new String[] {"--time", "10m", "--nemesis", "kill,pause,partition-oneway", "--managers", "5"});
    assertEquals(Duration.ofMinutes(10), o.time());
    assertEquals(List.of("kill", "pause", "partition-oneway"), o.faults().stream().map(Fault::name).toList());
    assertEquals(5, o.managers());
    assertEquals(Fault.ALL, Campaign.parse(new String[] {"--nemesis", "all"}).faults());
    assertEquals(200, Campaign.parse(new String[] {}).snapshotEvery());
    var s = Campaign.parse(new String[] {"--nemesis", "snapshot-install,power-loss,partition", "--snapshot-every", "50"});
    assertEquals(List.of("snapshot-install", "power-loss", "partition"), s.faults().stream().map(Fault::name).toList());
    assertEquals(50, s.snapshotEvery());
    assertEquals(true, Campaign.parse(new String[] {}).tls());
    assertEquals(false, Campaign.parse(new String[] {"--tls", "off"}).tls());
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> Campaign.parse(new String[] {"--managers", "4"}));
    assertThrows(IllegalArgumentException.class, () -> Campaign.parse(new String[] {"--nemesis", "meteor"}));
    assertThrows(IllegalArgumentException.class, () -> Campaign.parse(new String[] {"--time"}));
    assertThrows(IllegalArgumentException.class, () -> Campaign.parse(new String[] {"--snapshot-every", "3"}));
    assertThrows(IllegalArgumentException.class, () -> Campaign.parse(new String[] {"--agents", "9"}));
    assertThrows(IllegalArgumentException.class, () -> Campaign.parse(new String[] {"--colour", "red"}));
    assertThrows(IllegalArgumentException.class, () -> Campaign.parse(new String[] {"--tls", "yes"}));
  }
}
