package gantry.agent.driver.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void readsAnInspectAnswer() {
    Object v = Json.parse("""
        {"Id": "abc", "State": {"Running": false, "ExitCode": 3, "OOMKilled": false,
          "FinishedAt": "2026-12-05T10:00:00.5Z", "Pid": 0},
         "Config": {"Env": ["A=1", "B=\\u00e9\\n"], "Labels": {"gantry.task": "web"}},
         "Size": 1.5e3, "Nothing": null, "Big": 18446744073709551615}""");
    assertEquals("abc", Json.stringAt(v, "Id"));
    assertFalse(Json.isTrue(v, "State", "Running"));
    assertEquals(3L, Json.longAt(v, "State", "ExitCode"));
    assertEquals("web", Json.stringAt(v, "Config", "Labels", "gantry.task"));
    assertEquals(List.of("A=1", "B=\u00e9\n"), Json.at(v, "Config", "Env"));
    assertEquals(1500.0, Json.at(v, "Size"));
    assertNull(Json.at(v, "Nothing"));
    assertEquals(new BigInteger("18446744073709551615"), Json.at(v, "Big"));
    assertNull(Json.at(v, "State", "Missing", "Deeper"));
    assertNull(Json.longAt(v, "Id"), "a string is not a number");
  }

  @Test
  void writesWhatItReadsBack() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Image", "local/busybox:1");
    m.put("Cmd", List.of("sh", "-c", "echo \"hi\" \\ \t\u0001"));
    m.put("HostConfig", Map.of("Init", true, "NanoCpus", 250_000_000L));
    m.put("Empty", Map.of());
    m.put("None", null);
    String text = Json.write(m);
    assertTrue(text.startsWith("{\"Image\":\"local/busybox:1\",\"Cmd\":[\"sh\",\"-c\",\"echo \\\"hi\\\" \\\\ \\t\\u0001\"]"), text);
    assertEquals(m, Json.parse(text));
  }

  @Test
  void badTextNamesWhatAndWhere() {
    assertEquals("not JSON: ',' or '}' expected at offset 8",
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1 x")).getMessage());
    assertEquals("not JSON: an unterminated string at offset 4",
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"abc")).getMessage());
    assertEquals("not JSON: unexpected 'O' at offset 0",
        assertThrows(IllegalArgumentException.class, () -> Json.parse("OK")).getMessage());
    assertEquals("not JSON: text after the value at offset 3",
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} {}")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Json.parse(""));
    assertThrows(IllegalArgumentException.class, () -> Json.parse("[1,]"));
    assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
  }
}
