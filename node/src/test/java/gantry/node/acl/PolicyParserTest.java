package gantry.node.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.AclRule;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyParserTest {
  private static AclRule rule(String resource, String access, String prefix) {
    return AclRule.newBuilder().setResource(resource).setAccess(access).setPrefix(prefix).build();
  }

  @Test
  void readsEveryResourceAndTheJobForms() {
    List<AclRule> rules = PolicyParser.parse("""
        jobs: [{access: write, prefix: team-a-}, {access: read}]
        nodes: read
        operator: write
        acl: write
        events: read
        """);
    assertEquals(List.of(rule("jobs", "write", "team-a-"), rule("jobs", "read", ""), rule("nodes", "read", ""),
        rule("operator", "write", ""), rule("acl", "write", ""), rule("events", "read", "")), rules);
    assertEquals(List.of(rule("jobs", "deny", "secret-")), PolicyParser.parse("jobs: {access: deny, prefix: secret-}"));
    assertEquals(List.of(rule("jobs", "read", "")), PolicyParser.parse("jobs: read"));
  }

  @Test
  void errorsNameTheKey() {
    assertEquals("jobs.access: expected read, write or deny, got \"wrte\"",
        assertThrows(PolicyException.class, () -> PolicyParser.parse("jobs: {access: wrte}")).getMessage());
    assertEquals("jobs: expected read, write or deny, got \"wrte\"",
        assertThrows(PolicyException.class, () -> PolicyParser.parse("jobs: wrte")).getMessage());
    assertEquals("jobz: unknown key; expected jobs, nodes, operator, acl or events",
        assertThrows(PolicyException.class, () -> PolicyParser.parse("jobz: read")).getMessage());
    assertEquals("events: expected read or deny, got \"write\"",
        assertThrows(PolicyException.class, () -> PolicyParser.parse("events: write")).getMessage());
    assertEquals("jobs.prefx: unknown key; expected access or prefix",
        assertThrows(PolicyException.class, () -> PolicyParser.parse("jobs: {access: read, prefx: a}")).getMessage());
    assertEquals("jobs[1].access: expected read, write or deny, got nothing",
        assertThrows(PolicyException.class, () -> PolicyParser.parse("jobs: [{access: read}, {prefix: a}]")).getMessage());
    assertEquals("nodes: expected read, write or deny; only jobs take {access, prefix}",
        assertThrows(PolicyException.class, () -> PolicyParser.parse("nodes: {access: read}")).getMessage());
  }

  @Test
  void refusesNonsenseDocumentsAndAliasBombs() {
    assertThrows(PolicyException.class, () -> PolicyParser.parse(""));
    assertThrows(PolicyException.class, () -> PolicyParser.parse("- jobs"));
    assertThrows(PolicyException.class, () -> PolicyParser.parse("jobs: read\njobs: write\n"));
    assertThrows(PolicyException.class, () -> PolicyParser.parse("!!javax.script.ScriptEngineManager [x]"));
    StringBuilder bomb = new StringBuilder("a: &a [x, x]\n");
    for (int i = 0; i < 30; i++) bomb.append("b").append(i).append(": &b").append(i).append(" [*a, *a]\n");
    String message = assertThrows(PolicyException.class, () -> PolicyParser.parse(bomb.toString())).getMessage();
    assertEquals("rules: invalid YAML", message.substring(0, "rules: invalid YAML".length()), message);
  }

  /** The parser escapes the job spec's fuzzing found are closed here too (one SafeYaml for both). */
  @Test
  void theYamlEscapesFoundByFuzzingAreRefusedAsInvalidYaml() {
    assertEquals("rules: invalid YAML: Tag must not contain leading or trailing spaces.",
        assertThrows(PolicyException.class, () -> PolicyParser.parse("!F%20 x\n")).getMessage());
    String number = assertThrows(PolicyException.class, () -> PolicyParser.parse("jobs: " + "6".repeat(40) + ":0\n")).getMessage();
    assertTrue(number.startsWith("rules: invalid YAML: a number is out of range"), number);
  }
}
