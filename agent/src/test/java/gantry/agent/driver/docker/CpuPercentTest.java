package gantry.agent.driver.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CpuPercentTest {
  @Test
  void oneBusyCoreOfTwoIsOneHundredPercent() {
    // Host: 2 CPUs x 1 s = 2e9 ns; container used 1e9 ns.
    assertEquals(100.0, CpuPercent.of(2_000_000_000L, 1_000_000_000L, 4_000_000_000L, 2_000_000_000L, 2), 1e-9);
  }

  @Test
  void noProgressIsZero() {
    assertEquals(0.0, CpuPercent.of(5, 5, 10, 10, 2));
    assertEquals(0.0, CpuPercent.of(0, 0, 0, 0, 0));
  }
}
