package gantry.client.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GantryNameResolverProviderTest {
  @Test
  void takesTheServiceFromThePath() {
    assertEquals("echo", GantryNameResolverProvider.serviceName(URI.create("gantry:///echo")));
  }

  @Test
  void refusesOtherShapesOfTarget() {
    for (String target : List.of("gantry://m1:4647/echo", "gantry:///", "gantry:///a/b", "gantry:///echo?x=1")) {
      var e = assertThrows(IllegalArgumentException.class, () -> GantryNameResolverProvider.serviceName(URI.create(target)), target);
      assertTrue(e.getMessage().contains("expected gantry:///SERVICE"), e.getMessage());
    }
  }

  @Test
  void refusesAMalformedManager() {
    var e = assertThrows(IllegalArgumentException.class, () -> new GantryNameResolverProvider(List.of("127.0.0.1:4647", "m2")));
    assertEquals("managers: expected host:port, got \"m2\"", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new GantryNameResolverProvider(List.of()));
  }

  @Test
  void backoffDoublesUpToItsCapAndResets() {
    var backoff = new Backoff(GantryNameResolverProvider.INITIAL_BACKOFF, GantryNameResolverProvider.MAX_BACKOFF);
    long[] seen = new long[7];
    for (int i = 0; i < seen.length; i++) seen[i] = backoff.nextMillis();
    assertEquals("[100, 200, 400, 800, 1600, 2000, 2000]", java.util.Arrays.toString(seen));
    backoff.reset();
    assertEquals(100, backoff.nextMillis());
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
  }
}
