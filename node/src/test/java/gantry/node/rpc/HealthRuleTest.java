package gantry.node.rpc;

import static io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING;
import static io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gantry.node.rpc.HealthRule.Facts;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthRuleTest {
  private static Map<String, ServingStatus> expect(ServingStatus overallAndControl, ServingStatus dispatcher) {
    return Map.of(HealthRule.OVERALL, overallAndControl, HealthRule.CONTROL, overallAndControl,
        HealthRule.DISPATCHER, dispatcher);
  }

  @Test
  void theLeaderServesEverything() {
    assertEquals(expect(SERVING, SERVING), HealthRule.statuses(new Facts(true, true, false)));
  }

  @Test
  void aFollowerThatKnowsTheLeaderServesReadsAndWritesButNoSessions() {
    assertEquals(expect(SERVING, NOT_SERVING), HealthRule.statuses(new Facts(false, true, false)));
  }

  @Test
  void noLeaderKnownServesNothing() {
    assertEquals(expect(NOT_SERVING, NOT_SERVING), HealthRule.statuses(new Facts(false, false, false)));
  }

  @Test
  void aLeaderIsALeaderKnownEvenIfRaftDoesNotNameItThisInstant() {
    assertEquals(expect(SERVING, SERVING), HealthRule.statuses(new Facts(true, false, false)));
  }

  @Test
  void aDivergedPeerServesNothingWhateverElseHolds() {
    for (boolean leads : new boolean[] {false, true}) {
      for (boolean known : new boolean[] {false, true}) {
        assertEquals(expect(NOT_SERVING, NOT_SERVING), HealthRule.statuses(new Facts(leads, known, true)),
            "leads=" + leads + " leaderKnown=" + known);
      }
    }
  }

  @Test
  void theServiceNamesAreTheOnesClientsAskFor() {
    assertEquals(List.of("", "gantry.v1.ControlService", "gantry.v1.DispatcherService"),
        List.copyOf(HealthRule.statuses(new Facts(false, true, false)).keySet()));
  }
}
