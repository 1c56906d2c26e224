package gantry.agent.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.DisconnectPolicy;
import gantry.v1.GroupSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class FencingPolicyTest {
  final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  static GroupSpec stopAfter(long ms) {
    return GroupSpec.newBuilder().setDisconnect(DisconnectPolicy.newBuilder().setStopAfterMs(ms)).build();
  }

  @Test
  void fencesOnlyAfterTheLimitPassed() {
    Instant contact = clock.instant();
    GroupSpec g = stopAfter(30_000);
    assertFalse(FencingPolicy.shouldFence(g, contact, contact.plusSeconds(30)));
    assertTrue(FencingPolicy.shouldFence(g, contact, contact.plusSeconds(31)));
    assertEquals("fenced: no manager for 31s", FencingPolicy.description(contact, contact.plusSeconds(31)));
  }

  @Test
  void groupsWithoutALimitNeverFence() {
    Instant contact = clock.instant();
    Instant later = contact.plus(Duration.ofDays(7));
    assertFalse(FencingPolicy.shouldFence(GroupSpec.getDefaultInstance(), contact, later));
    assertFalse(FencingPolicy.shouldFence(stopAfter(0), contact, later));
  }
}
