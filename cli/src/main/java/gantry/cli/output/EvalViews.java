package gantry.cli.output;

import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.PlacementFailure;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The human view of {@code gantry eval ls}: one row per evaluation as the server orders them
 * (newest first); PLACEMENT names each group a blocked evaluation could not place fully, with the
 * scheduler's own message, so the table answers "why is this pending" without another call.
 */
public final class EvalViews {
  private EvalViews() {}

  public static void printList(PrintWriter out, List<Evaluation> evals) {
    if (evals.isEmpty()) {
      out.println("No evaluations");
      out.flush();
      return;
    }
    var table = new Table("ID", "JOB", "TRIGGERED_BY", "STATUS", "VERSION", "CREATED", "PLACEMENT");
    for (Evaluation e : evals) {
      table.row(AllocationViews.shortId(e.getId()), e.getJob(), e.getTriggeredBy(), status(e.getStatus()),
          Long.toUnsignedString(e.getJobVersion()), JobViews.time(e.getCreateTimeMs()), placement(e.getFailedGroupsMap()));
    }
    table.print(out);
  }

  static String status(EvalStatus s) {
    return s == EvalStatus.UNRECOGNIZED ? "unknown" : s.name().substring("EVAL_STATUS_".length()).toLowerCase(Locale.ROOT);
  }

  private static String placement(Map<String, PlacementFailure> failed) {
    if (failed.isEmpty()) return "-";
    StringBuilder b = new StringBuilder();
    new TreeMap<>(failed).forEach((group, f) -> {
      if (!b.isEmpty()) b.append("; ");
      b.append(group).append(": ").append(f.getUnplaced()).append(" unplaced");
      if (!f.getMessage().isEmpty()) b.append(" (").append(f.getMessage()).append(')');
    });
    return b.toString();
  }
}
