package gantry.chaos.report;

import gantry.chaos.history.Op;
import gantry.chaos.nemesis.FaultWindow;
import java.util.List;
import java.util.Locale;

/**
 * Draws latency over time as SVG: one dot per op at (invoke time, latency, log scale),
 * green ok, orange unknown, red fail; fault windows shaded with their names on top.
 */
public final class LatencyPlot {
  private static final int W = 1000;
  private static final int H = 420;
  private static final int LEFT = 60;
  private static final int RIGHT = 20;
  private static final int TOP = 30;
  private static final int BOTTOM = 40;

  private LatencyPlot() {}

  public static String svg(List<Op> ops, List<FaultWindow> faults) {
    double endS = 1;
    for (Op op : ops) endS = Math.max(endS, op.completeNanos() / 1e9);
    for (FaultWindow f : faults) endS = Math.max(endS, f.endNanos() / 1e9);
    double maxMs = 10;
    for (Op op : ops) maxMs = Math.max(maxMs, op.latencyMs());
    double logMin = Math.log10(0.1);
    double logMax = Math.log10(maxMs * 1.5);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", W, H));
    b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"white\" stroke=\"#999\"/>%n",
        LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM));
    for (FaultWindow f : faults) {
      if (f.skipped()) continue;
      double x0 = x(f.startNanos() / 1e9, endS);
      double x1 = Math.max(x0 + 1, x(f.endNanos() / 1e9, endS));
      b.append(String.format(Locale.ROOT,
          "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#f4a3a3\" fill-opacity=\"0.35\"><title>%s</title></rect>%n",
          x0, TOP, x1 - x0, H - TOP - BOTTOM, esc(f.fault() + ": " + f.detail())));
      b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#a33\">%s</text>%n", x0 + 2, TOP - 6, esc(f.fault())));
    }
    for (double ms = 0.1; ms <= maxMs * 1.5; ms *= 10) {
      double y = y(ms, logMin, logMax);
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>%n",
          LEFT, W - RIGHT, y, y, LEFT - 4, y + 4, ms < 1 ? String.format(Locale.ROOT, "%.1f", ms) : String.format(Locale.ROOT, "%.0f", ms)));
    }
    int step = Math.max(1, (int) Math.ceil(endS / 10));
    for (int s = 0; s <= endS; s += step) {
      b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d s</text>%n",
          x(s, endS), H - BOTTOM + 16, s));
    }
    for (Op op : ops) {
      String color = switch (op.outcome()) {
        case OK -> "#2a8a2a";
        case UNKNOWN -> "#e69500";
        case FAIL -> "#cc2222";
      };
      b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.6\" fill=\"%s\"/>%n",
          x(op.invokeNanos() / 1e9, endS), y(Math.max(0.1, op.latencyMs()), logMin, logMax), color));
    }
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">latency (log) over time; green ok, orange unknown, red fail;"
        + " shaded: faults</text>%n", LEFT, H - 6));
    return b.append("</svg>\n").toString();
  }

  private static double x(double s, double endS) {
    return LEFT + s / endS * (W - LEFT - RIGHT);
  }

  private static double y(double ms, double logMin, double logMax) {
    double f = (Math.log10(ms) - logMin) / (logMax - logMin);
    return H - BOTTOM - f * (H - TOP - BOTTOM);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
