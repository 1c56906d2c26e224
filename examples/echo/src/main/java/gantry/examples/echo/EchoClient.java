package gantry.examples.echo;

import gantry.client.GantryChannels;
import gantry.client.ManagerAddresses;
import gantry.client.balancer.GantryBalancers;
import gantry.examples.echo.v1.EchoGrpc;
import gantry.examples.echo.v1.EchoReply;
import gantry.examples.echo.v1.EchoRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Calls the echo service N times through {@code gantry:///SERVICE} and prints how the calls
 * spread: one line per endpoint (allocation, node, calls, share), then one JSON line for scripts.
 * Exit 0 when every call succeeded, 1 when some failed, 2 on bad usage.
 */
public final class EchoClient {
  static final String USAGE = "usage: EchoClient --managers HOST:PORT[,HOST:PORT...] (else $GANTRY_ADDR)"
      + " --policy weighted|round_robin|random --calls N [--service echo]";

  /** The command line. */
  record Options(List<String> managers, String policy, int calls, String service) {
    /** @throws IllegalArgumentException naming the flag */
    static Options parse(List<String> args, Map<String, String> env) {
      Map<String, String> flags = new LinkedHashMap<>();
      for (int i = 0; i < args.size(); i++) {
        String flag = args.get(i);
        if (!List.of("--managers", "--policy", "--calls", "--service").contains(flag)) {
          throw new IllegalArgumentException("unknown argument \"" + flag + "\"");
        }
        if (i + 1 >= args.size()) throw new IllegalArgumentException(flag + ": needs a value");
        flags.put(flag, args.get(++i));
      }
      List<String> managers;
      if (flags.containsKey("--managers")) {
        managers = ManagerAddresses.parse("--managers", flags.get("--managers"));
      } else if (env.get(ManagerAddresses.ENV) != null) {
        managers = ManagerAddresses.parse(ManagerAddresses.ENV, env.get(ManagerAddresses.ENV));
      } else {
        throw new IllegalArgumentException("--managers: required (or set " + ManagerAddresses.ENV + ")");
      }
      String policy = flags.getOrDefault("--policy", "weighted");
      if (!GantryBalancers.POLICIES.contains(policy)) {
        throw new IllegalArgumentException("--policy: expected one of " + String.join(", ", GantryBalancers.POLICIES) + ", got \"" + policy + "\"");
      }
      String callsText = flags.get("--calls");
      if (callsText == null) throw new IllegalArgumentException("--calls: required");
      int calls;
      try {
        calls = Integer.parseInt(callsText);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--calls: expected a number, got \"" + callsText + "\"");
      }
      if (calls < 1) throw new IllegalArgumentException("--calls: expected at least 1, got " + calls);
      String service = flags.getOrDefault("--service", "echo");
      if (service.isBlank() || service.contains("/")) throw new IllegalArgumentException("--service: expected a service name, got \"" + service + "\"");
      return new Options(managers, policy, calls, service);
    }
  }

  /** Calls per allocation (with its node), and the failures. */
  static final class Tally {
    final Map<String, Long> calls = new TreeMap<>();
    final Map<String, String> nodes = new TreeMap<>();
    long failed;
    String lastError;

    void answered(EchoReply reply) {
      calls.merge(reply.getAllocation(), 1L, Long::sum);
      nodes.put(reply.getAllocation(), reply.getNode());
    }

    void failed(StatusRuntimeException e) {
      failed++;
      lastError = e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription());
    }

    long total() {
      return calls.values().stream().mapToLong(Long::longValue).sum() + failed;
    }

    void print(Options options, PrintWriter out) {
      long total = total();
      int width = Math.max("ALLOCATION".length(), calls.keySet().stream().mapToInt(String::length).max().orElse(0));
      int nodeWidth = Math.max("NODE".length(), nodes.values().stream().mapToInt(String::length).max().orElse(0));
      String row = "%-" + width + "s  %-" + nodeWidth + "s  %8s  %6s%n";
      out.printf(row, "ALLOCATION", "NODE", "CALLS", "SHARE");
      calls.forEach((allocation, count) -> out.printf(row, allocation, nodes.get(allocation), count, share(count, total)));
      if (failed > 0) out.printf(row, "(failed)", "-", failed, share(failed, total));
      StringBuilder json = new StringBuilder("{\"service\":").append(quote(options.service()))
          .append(",\"policy\":").append(quote(options.policy()))
          .append(",\"calls\":").append(total).append(",\"failed\":").append(failed).append(",\"endpoints\":{");
      String sep = "";
      for (var e : calls.entrySet()) {
        json.append(sep).append(quote(e.getKey())).append(":{\"node\":").append(quote(nodes.get(e.getKey())))
            .append(",\"calls\":").append(e.getValue()).append('}');
        sep = ",";
      }
      json.append('}');
      if (lastError != null) json.append(",\"last_error\":").append(quote(lastError));
      out.println(json.append('}'));
      out.flush();
    }

    private static String share(long count, long total) {
      return String.format(java.util.Locale.ROOT, "%.1f%%", total == 0 ? 0.0 : 100.0 * count / total);
    }

    private static String quote(String s) {
      StringBuilder out = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          default -> {
            if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
          }
        }
      }
      return out.append('"').toString();
    }
  }

  private EchoClient() {}

  /** Makes the calls one after another (5 s deadline each) and prints the tally; returns the exit code. */
  static int run(Options options, PrintWriter out) throws InterruptedException {
    // TLS and token for the managers from GANTRY_TLS_* and GANTRY_TOKEN, as the gantry CLI reads them
    ManagedChannel channel = GantryChannels.builder(options.service(), options.managers(), options.policy(),
        gantry.client.ManagerCredentials.of(null, null, null, null, System.getenv()),
        io.grpc.InsecureChannelCredentials.create()).build();
    Tally tally = new Tally();
    try {
      var stub = EchoGrpc.newBlockingStub(channel);
      for (int i = 0; i < options.calls(); i++) {
        try {
          tally.answered(stub.withDeadlineAfter(5, TimeUnit.SECONDS).echo(EchoRequest.newBuilder().setMessage("call " + i).build()));
        } catch (StatusRuntimeException e) {
          tally.failed(e);
        }
      }
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    tally.print(options, out);
    return tally.failed == 0 ? 0 : 1;
  }

  public static void main(String[] args) throws InterruptedException {
    Options options;
    try {
      options = Options.parse(List.of(args), System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    System.exit(run(options, new PrintWriter(System.out, true)));
  }
}
