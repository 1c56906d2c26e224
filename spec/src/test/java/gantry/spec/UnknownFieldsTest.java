package gantry.spec;

import static gantry.spec.JobSpecValidatorTest.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.UnknownFieldSet;
import gantry.v1.JobSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnknownFieldsTest {
  static UnknownFieldSet field(int number) {
    return UnknownFieldSet.newBuilder()
        .addField(number, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build();
  }

  @Test
  void aKnownSpecHasNone() {
    assertEquals(List.of(), UnknownFields.in(valid()));
  }

  @Test
  void everyLevelIsNamedByItsPath() {
    var b = valid().toBuilder().setUnknownFields(field(42));
    b.getGroupsBuilder(0).getTasksBuilder(0).setUnknownFields(field(99));
    b.getGroupsBuilder(0).getTasksBuilder(0).getResourcesBuilder().setUnknownFields(field(7));
    b.getGroupsBuilder(0).getTasksBuilder(0).getPortsBuilder(0).setUnknownFields(field(3));
    assertEquals(List.of(
            "spec: unknown field 42",
            "groups[0].tasks[0]: unknown field 99",
            "groups[0].tasks[0].resources: unknown field 7",
            "groups[0].tasks[0].ports[0]: unknown field 3"),
        UnknownFields.in(b.build()).stream().map(v -> v.substring(0, v.indexOf(" ("))).toList());
  }

  @Test
  void theValidatorRefusesThemAfterAWireRoundTrip() throws Exception {
    // A newer client's TaskSpec with a field 99 this build lacks: serialize, parse as this build would.
    var b = valid().toBuilder();
    b.getGroupsBuilder(0).getTasksBuilder(0).setUnknownFields(field(99));
    JobSpec received = JobSpec.parseFrom(b.build().toByteArray());
    var e = assertThrows(InvalidSpecException.class, () -> JobSpecValidator.validate(received));
    assertEquals("groups[0].tasks[0]: unknown field 99 (this server does not know it; is the client newer than the server?)",
        e.getMessage());
  }
}
