package gantry.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FirewallTest {
  @Test
  void readsThePacketCountersOfItsOwnRules() {
    String listing = """
        Chain DOCKER-USER (1 references)
            pkts      bytes target     prot opt in     out     source               destination
               2      120 DROP       0    --  *      *       10.213.7.11          10.213.7.12          /* gantry-chaos-run1#2 */
               0        0 DROP       0    --  *      *       10.213.7.12          10.213.7.11          /* gantry-chaos-run1#1 */
               9      500 DROP       0    --  *      *       10.213.9.11          10.213.9.12          /* gantry-chaos-run10#1 */
             812    42000 RETURN     0    --  *      *       0.0.0.0/0            0.0.0.0/0
        """;
    assertEquals(Map.of("gantry-chaos-run1#2", 2L, "gantry-chaos-run1#1", 0L), Firewall.counters(listing, "gantry-chaos-run1"));
  }

  @Test
  void classifiesWhatNcSaid() {
    assertEquals(Reachability.Outcome.CONNECTED, Reachability.classify(0, "").outcome());
    assertEquals(Reachability.Outcome.REFUSED,
        Reachability.classify(1, "nc: can't connect to remote host (10.0.0.2): Connection refused").outcome());
    assertEquals(Reachability.Outcome.TIMED_OUT, Reachability.classify(1, "nc: timed out").outcome());
    assertEquals(Reachability.Outcome.ERROR, Reachability.classify(126, "exec failed").outcome());
  }
}
