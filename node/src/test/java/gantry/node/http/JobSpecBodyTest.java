package gantry.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import gantry.spec.SpecException;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import io.javalin.http.HttpResponseException;
import org.junit.jupiter.api.Test;

class JobSpecBodyTest {
  static final JobSpec SPEC = JobSpec.newBuilder().setName("web")
      .addGroups(GroupSpec.newBuilder().setName("g").setCount(2)).build();

  @Test
  void protobufJsonWithOrWithoutContentType() throws Exception {
    String json = JsonFormat.printer().print(SPEC);
    assertEquals(SPEC, JobSpecBody.parse("application/json; charset=utf-8", json));
    assertEquals(SPEC, JobSpecBody.parse(null, json));
  }

  @Test
  void yamlIsTheJobFileFormat() {
    String yaml = """
        job: web
        groups:
          - name: g
            count: 2
        """;
    assertEquals(SPEC, JobSpecBody.parse("Application/YAML", yaml));
  }

  @Test
  void malformedBodiesNameTheirField() {
    var json = assertThrows(SpecException.class, () -> JobSpecBody.parse("application/json", "{\"nmae\": \"web\"}"));
    assertEquals("spec", json.path());
    assertTrue(json.getMessage().contains("nmae"), json.getMessage());
    var yaml = assertThrows(SpecException.class, () -> JobSpecBody.parse("application/yaml", "job: web\ngroups: [{name: g, count: many}]\n"));
    assertEquals("groups[0].count", yaml.path());
  }

  @Test
  void otherTypesAre415() {
    var e = assertThrows(HttpResponseException.class, () -> JobSpecBody.parse("text/plain", "job: web"));
    assertEquals(415, e.getStatus());
  }
}
