package gantry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManagerAddressesTest {
  @Test
  void parsesACommaSeparatedListIgnoringBlanks() {
    assertEquals(List.of("127.0.0.1:4647", "m2:5647", "[::1]:6647"), ManagerAddresses.parse("--address", " 127.0.0.1:4647, m2:5647,,[::1]:6647 "));
  }

  @Test
  void namesTheFieldAndTheReason() {
    assertEquals("--address: expected host:port, got \"nohost\"",
        assertThrows(IllegalArgumentException.class, () -> ManagerAddresses.parse("--address", "nohost")).getMessage());
    assertEquals("GANTRY_ADDR: port is not a number in \"h:x\"",
        assertThrows(IllegalArgumentException.class, () -> ManagerAddresses.parse("GANTRY_ADDR", "h:x")).getMessage());
    assertEquals("--servers: port 70000 is outside 1..65535",
        assertThrows(IllegalArgumentException.class, () -> ManagerAddresses.parse("--servers", "h:70000")).getMessage());
    assertEquals("GANTRY_ADDR: expected host:port[,host:port...], got \"null\"",
        assertThrows(IllegalArgumentException.class, () -> ManagerAddresses.parse("GANTRY_ADDR", null)).getMessage());
    assertEquals("--address: expected host:port[,host:port...], got \" , \"",
        assertThrows(IllegalArgumentException.class, () -> ManagerAddresses.parse("--address", " , ")).getMessage());
  }
}
