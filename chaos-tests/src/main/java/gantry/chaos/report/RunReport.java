package gantry.chaos.report;

import gantry.chaos.checker.AllocationChecker;
import gantry.chaos.checker.Verdict;
import gantry.chaos.history.Json;
import gantry.chaos.history.Op;
import gantry.chaos.nemesis.FaultWindow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes a run's directory: history.jsonl (one op a line), timeline.jsonl (fault windows),
 * verdicts.txt (the RESULT lines and details) and index.html (summary, the latency plot,
 * the timeline). The history is written first so a run that fails later still keeps it.
 */
public final class RunReport {
  private final Path dir;

  public RunReport(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public void writeHistory(List<Op> ops) {
    write("history.jsonl", ops.stream().map(Json::line).collect(Collectors.joining("\n", "", "\n")));
  }

  public void writeTimeline(List<FaultWindow> timeline) {
    write("timeline.jsonl", timeline.stream().map(f -> String.format(Locale.ROOT,
        "{\"fault\":%s,\"detail\":%s,\"start_ms\":%.1f,\"end_ms\":%.1f,\"skipped\":%s,\"problem\":%s}",
        Json.str(f.fault()), Json.str(f.detail()), f.startNanos() / 1e6, f.endNanos() / 1e6, f.skipped(), Json.str(f.problem())))
        .collect(Collectors.joining("\n", "", "\n")));
  }

  /**
   * What ran on the agents, one sample per line:
   * {"at_ms":..,"running":{"ALLOC":["a1"],..},"processes":[{"alloc":..,"agent":..,"pid":..,"start":..},..]}.
   */
  public void writeSamples(List<AllocationChecker.Sample> samples) {
    write("fleet-samples.jsonl", samples.stream().map(s -> String.format(Locale.ROOT,
        "{\"at_ms\":%.1f,\"running\":{%s},\"processes\":[%s]}",
        s.atNanos() / 1e6, s.running().entrySet().stream().sorted(Map.Entry.comparingByKey())
            .map(e -> Json.str(e.getKey()) + ":[" + e.getValue().stream().sorted().map(Json::str).collect(Collectors.joining(",")) + "]")
            .collect(Collectors.joining(",")),
        s.processes().stream().map(p -> String.format(Locale.ROOT, "{\"alloc\":%s,\"agent\":%s,\"pid\":%d,\"start\":%d}",
            Json.str(p.alloc()), Json.str(p.agent()), p.pid(), p.startTicks())).collect(Collectors.joining(","))))
        .collect(Collectors.joining("\n", "", "\n")));
  }

  /** The line Campaign prints per checker. */
  public static String resultLine(Verdict v, int faults) {
    return "RESULT checker=" + v.checker() + " valid=" + v.valid() + " ops=" + v.ops() + " faults=" + faults;
  }

  public void writeVerdicts(List<Verdict> verdicts, int faults) {
    write("verdicts.txt", verdicts.stream().map(v -> resultLine(v, faults) + "\n  " + v.detail())
        .collect(Collectors.joining("\n", "", "\n")));
  }

  public void writeIndex(String title, Map<String, String> facts, List<Verdict> verdicts, List<Op> ops,
      List<FaultWindow> timeline) {
    StringBuilder b = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
        .append(LatencyPlot.esc(title)).append("</title><style>body{font-family:sans-serif;margin:2em}"
            + "td,th{padding:2px 8px;text-align:left;vertical-align:top}.bad{color:#b00}.good{color:#070}</style></head><body>")
        .append("<h1>").append(LatencyPlot.esc(title)).append("</h1><table>");
    facts.forEach((k, v) -> b.append("<tr><th>").append(LatencyPlot.esc(k)).append("</th><td>")
        .append(LatencyPlot.esc(v)).append("</td></tr>"));
    b.append("</table><h2>Verdicts</h2><table><tr><th>checker</th><th>valid</th><th>ops</th><th>detail</th></tr>");
    for (Verdict v : verdicts) {
      b.append("<tr><td>").append(v.checker()).append("</td><td class=\"").append(v.valid() ? "good" : "bad").append("\">")
          .append(v.valid()).append("</td><td>").append(v.ops()).append("</td><td>")
          .append(LatencyPlot.esc(v.detail())).append("</td></tr>");
    }
    b.append("</table><h2>Latency</h2>").append(LatencyPlot.svg(ops, timeline))
        .append("<h2>Nemesis timeline</h2><table><tr><th>from</th><th>to</th><th>fault</th><th>detail</th><th>problem</th></tr>");
    for (FaultWindow f : timeline) {
      b.append(String.format(Locale.ROOT, "<tr><td>%.1f s</td><td>%.1f s</td><td>%s%s</td><td>%s</td><td class=\"bad\">%s</td></tr>",
          f.startNanos() / 1e9, f.endNanos() / 1e9, LatencyPlot.esc(f.fault()), f.skipped() ? " (skipped)" : "",
          LatencyPlot.esc(f.detail()), LatencyPlot.esc(f.problem())));
    }
    b.append("</table><p>Files: <a href=\"history.jsonl\">history.jsonl</a>, <a href=\"timeline.jsonl\">timeline.jsonl</a>,"
        + " <a href=\"verdicts.txt\">verdicts.txt</a>, logs/ (one per manager).</p></body></html>\n");
    write("index.html", b.toString());
  }

  private void write(String name, String text) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
