package gantry.examples.echo.bench;

import gantry.client.ManagerAddresses;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --flag value} pairs of a benchmark driver, with defaults; unknown flags are refused. */
record BenchArgs(Map<String, String> values) {
  static BenchArgs parse(String[] args, Map<String, String> defaults) {
    Map<String, String> v = new HashMap<>(defaults);
    for (int i = 0; i < args.length; i += 2) {
      if (!defaults.containsKey(args[i]) && !args[i].equals("--managers")) {
        throw new IllegalArgumentException("unknown argument \"" + args[i] + "\"; known: --managers " + defaults.keySet());
      }
      if (i + 1 >= args.length) throw new IllegalArgumentException(args[i] + ": needs a value");
      v.put(args[i], args[i + 1]);
    }
    if (!v.containsKey("--managers")) throw new IllegalArgumentException("--managers: required");
    return new BenchArgs(v);
  }

  List<String> managers() {
    return ManagerAddresses.parse("--managers", values.get("--managers"));
  }

  String text(String flag) {
    return values.get(flag);
  }

  int number(String flag) {
    try {
      return Integer.parseInt(values.get(flag));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": expected a number, got \"" + values.get(flag) + "\"");
    }
  }

  static long median(List<Long> xs) {
    if (xs.isEmpty()) return -1;
    List<Long> s = xs.stream().sorted().toList();
    return s.get((s.size() - 1) / 2);
  }

  static double medianD(List<Double> xs) {
    if (xs.isEmpty()) return Double.NaN;
    List<Double> s = xs.stream().sorted().toList();
    return s.get((s.size() - 1) / 2);
  }
}
