package gantry.node.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: every line must
 * be a HELP or TYPE comment, another comment, blank, or a sample whose family was declared by a
 * TYPE line just before it; anything else fails the parse with the line. Tests use it to check
 * that {@code /metrics} is what a Prometheus server takes, not only that some text is there.
 */
final class PrometheusText {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)})? (\\S+)( -?\\d+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
  private static final Set<String> SUFFIXES = Set.of("", "_total", "_created", "_count", "_sum", "_bucket", "_info");

  record Sample(String name, Map<String, String> labels, double value) {}

  /** Families by name -> type, and the samples in order. */
  record Exposition(Map<String, String> types, List<Sample> samples) {
    /** The one sample of {@code name} with exactly these labels; fails if there is none. */
    double value(String name, Map<String, String> labels) {
      return samples.stream().filter(s -> s.name.equals(name) && s.labels.equals(labels)).findFirst()
          .orElseThrow(() -> new AssertionError("no sample " + name + labels)).value;
    }

    List<Sample> all(String name) {
      return samples.stream().filter(s -> s.name.equals(name)).toList();
    }
  }

  private PrometheusText() {}

  static Exposition parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    String family = null;
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      if (line.isEmpty()) continue;
      Matcher m;
      if ((m = TYPE.matcher(line)).matches()) {
        if (types.put(m.group(1), m.group(2)) != null) throw fail(n, line, "family declared twice");
        family = m.group(1);
      } else if (HELP.matcher(line).matches()) {
        continue;
      } else if (line.startsWith("#")) {
        continue;
      } else if ((m = SAMPLE.matcher(line)).matches()) {
        String name = m.group(1);
        if (family == null || !name.startsWith(family) || !SUFFIXES.contains(name.substring(family.length()))) {
          throw fail(n, line, "sample outside its family (last TYPE: " + family + ")");
        }
        samples.add(new Sample(name, labels(n, line, m.group(3)), value(n, line, m.group(4))));
      } else {
        throw fail(n, line, "not a comment nor a sample");
      }
    }
    return new Exposition(types, samples);
  }

  private static Map<String, String> labels(int n, String line, String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) return labels;
    Matcher m = LABEL.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) throw fail(n, line, "bad label at " + text.substring(at));
      String value = m.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
      if (labels.put(m.group(1), value) != null) throw fail(n, line, "label " + m.group(1) + " twice");
      at = m.end();
    }
    return labels;
  }

  private static double value(int n, String line, String text) {
    return switch (text) {
      case "NaN" -> Double.NaN;
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw fail(n, line, "bad value " + text);
        }
      }
    };
  }

  private static IllegalArgumentException fail(int n, String line, String why) {
    return new IllegalArgumentException("line " + n + ": " + why + ": " + line);
  }
}
