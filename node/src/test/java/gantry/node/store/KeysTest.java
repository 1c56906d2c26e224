package gantry.node.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeysTest {
  @Test
  void sortableIsTheTwentyDigitFormat() {
    for (long v : new long[] {0, 1, 9, 10, 42, 1_000_000, 123_456_789_012L, Long.MAX_VALUE, -1, -42, Long.MIN_VALUE}) {
      assertEquals(String.format("%020d", v), Keys.sortable(v), "value " + v);
    }
  }

  @Test
  void jobVersionKeysSortByVersion() {
    assertTrue(Keys.jobVersion("web", 9).compareTo(Keys.jobVersion("web", 10)) < 0);
    assertEquals("v/web/00000000000000000010", Keys.jobVersion("web", 10));
  }
}
