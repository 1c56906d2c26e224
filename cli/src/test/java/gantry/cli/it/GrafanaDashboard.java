package gantry.cli.it;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The queries of a Grafana dashboard JSON file, read after checking the structure Grafana needs
 * to import it: a title, a uid, a schemaVersion, a {@code datasource} variable that the panels
 * use, and panels with unique ids and a grid position; every panel but a row has targets, each
 * with a refId and a PromQL expression. There is no Grafana package here: this check and a real
 * Prometheus answering every expression stand in for it.
 */
final class GrafanaDashboard {
  /** One query of one panel. */
  record Query(String panel, String refId, String expr) {}

  private GrafanaDashboard() {}

  /** The dashboard's queries; fails with every structural problem found. */
  static List<Query> queries(Path file) throws IOException {
    Struct d = PrometheusServer.parse(Files.readString(file));
    List<String> problems = new ArrayList<>();
    for (String key : List.of("title", "uid")) {
      if (text(d, key).isEmpty()) problems.add("no " + key);
    }
    if (!d.containsFields("schemaVersion") || !d.getFieldsOrThrow("schemaVersion").hasNumberValue()) problems.add("no schemaVersion");
    boolean variable = d.containsFields("templating") && d.getFieldsOrThrow("templating").getStructValue()
        .getFieldsOrDefault("list", Value.getDefaultInstance()).getListValue().getValuesList().stream()
        .map(Value::getStructValue).anyMatch(v -> text(v, "name").equals("datasource") && text(v, "type").equals("datasource"));
    if (!variable) problems.add("no datasource variable named datasource");
    List<Value> panels = d.getFieldsOrDefault("panels", Value.getDefaultInstance()).getListValue().getValuesList();
    if (panels.isEmpty()) problems.add("no panels");
    Set<Double> ids = new HashSet<>();
    List<Query> queries = new ArrayList<>();
    for (Value v : panels) {
      Struct p = v.getStructValue();
      String title = text(p, "title");
      String where = "panel '" + title + "'";
      if (title.isEmpty()) problems.add("a panel without a title: " + p);
      if (!p.containsFields("id") || !ids.add(p.getFieldsOrThrow("id").getNumberValue())) problems.add(where + ": missing or repeated id");
      Struct grid = p.getFieldsOrDefault("gridPos", Value.getDefaultInstance()).getStructValue();
      for (String k : List.of("h", "w", "x", "y")) {
        if (!grid.containsFields(k)) problems.add(where + ": gridPos has no " + k);
      }
      if (text(p, "type").equals("row")) continue;
      if (text(p, "type").isEmpty()) problems.add(where + ": no type");
      if (!text(p.getFieldsOrDefault("datasource", Value.getDefaultInstance()).getStructValue(), "uid").equals("${datasource}")) {
        problems.add(where + ": datasource is not ${datasource}");
      }
      List<Value> targets = p.getFieldsOrDefault("targets", Value.getDefaultInstance()).getListValue().getValuesList();
      if (targets.isEmpty()) problems.add(where + ": no targets");
      for (Value t : targets) {
        Struct target = t.getStructValue();
        String ref = text(target, "refId");
        String expr = text(target, "expr");
        if (ref.isEmpty() || expr.isBlank()) problems.add(where + ": a target without refId or expr: " + target);
        else queries.add(new Query(title, ref, expr));
      }
    }
    if (!problems.isEmpty()) throw new AssertionError(file + ": " + String.join("; ", problems));
    return queries;
  }

  private static String text(Struct s, String key) {
    Value v = s.getFieldsOrDefault(key, Value.getDefaultInstance());
    return v.hasStringValue() ? v.getStringValue() : "";
  }
}
