package gantry.cli.command;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import gantry.spec.Durations;
import gantry.spec.SpecException;
import gantry.v1.AuditRecord;
import gantry.v1.ReadAuditRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gantry operator audit [--since T]}: the audit log of the manager that answers (each
 * manager logs the requests it received, in its own {@code <data-dir>/audit.log}), one JSON line
 * per entry with the file's keys, oldest first.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = {"Print the audit log of the manager that answers (the first listed one that is up): one JSON line per",
        "write or denied request it received (time, accessor, cert, remote, method, target, outcome, reason), oldest first.",
        "Each manager keeps its own; ask each one for the whole picture."})
public final class AuditCommand implements Callable<Integer> {
  private static final JsonFormat.Printer LINE = JsonFormat.printer().omittingInsignificantWhitespace()
      .alwaysPrintFieldsWithNoPresence();

  @Mixin
  ClientOptions client;

  @Option(names = "--since", paramLabel = "T",
      description = "Only entries at or after T: an RFC 3339 time (2026-12-01T03:00:00Z) or a duration ago (90s, 10m, 2h).")
  String since;

  /** The time {@code --since} names, relative to {@code now} for a duration. */
  static Instant since(String text, Instant now) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notATime) {
      try {
        return now.minus(Durations.parse("--since", text));
      } catch (SpecException notADuration) {
        throw Failure.badInput("--since: expected an RFC 3339 time (2026-12-01T03:00:00Z) or a duration ago "
            + "(90s, 10m, 2h), got \"" + text + "\"");
      }
    }
  }

  @Override
  public Integer call() {
    ReadAuditRequest.Builder req = ReadAuditRequest.newBuilder();
    if (since != null) req.setSince(since(since, Clock.systemUTC().instant()).toString());
    PrintWriter out = client.out();
    try (var control = client.connect()) {
      Status last = null;
      for (String address : control.addresses()) {
        boolean printed = false;
        try {
          // No deadline: the file may be large; each entry is printed as it arrives.
          Iterator<AuditRecord> stream = control.streamingStub(address).readAudit(req.build());
          while (stream.hasNext()) {
            out.println(line(stream.next()));
            printed = true;
          }
          out.flush();
          return 0;
        } catch (StatusRuntimeException e) {
          // Only a manager that is down is passed over: once one answered, its file is the answer
          // (another manager's file holds other requests).
          if (printed || e.getStatus().getCode() != Status.Code.UNAVAILABLE) throw e;
          last = e.getStatus();
        }
      }
      throw Failure.failed("no manager reachable at " + String.join(",", control.addresses()) + " (last error: "
          + last.getCode() + (last.getDescription() == null ? "" : ": " + last.getDescription()) + ")");
    } finally {
      out.flush();
    }
  }

  static String line(AuditRecord r) {
    try {
      return LINE.print(r);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("AuditRecord has no Any fields", e);
    }
  }
}
