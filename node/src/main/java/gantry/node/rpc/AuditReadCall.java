package gantry.node.rpc;

import gantry.node.guard.AuditLog;
import gantry.v1.AuditRecord;
import gantry.v1.ReadAuditRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ReadAudit call: its own virtual thread reads this manager's audit files and sends the
 * entries at or after {@code since}, one message at a time and only when the call is ready
 * (gRPC's flow control: the files may hold hundreds of megabytes), then completes. A cancelled
 * call stops the read.
 */
final class AuditReadCall {
  private static final Logger LOG = LoggerFactory.getLogger(AuditReadCall.class);
  private static final long POLL_MS = 1_000;

  private final ServerCallStreamObserver<AuditRecord> call;
  private final AuditLog audit;
  private final Instant since;
  private final Object readiness = new Object();
  private volatile boolean cancelled;

  private AuditReadCall(ServerCallStreamObserver<AuditRecord> call, AuditLog audit, Instant since) {
    this.call = call;
    this.audit = audit;
    this.since = since;
  }

  /** Answers INVALID_ARGUMENT naming since on a bad time; otherwise starts the read and returns at once. */
  static void start(ServerCallStreamObserver<AuditRecord> call, AuditLog audit, ReadAuditRequest req) {
    Instant since;
    try {
      since = req.getSince().isEmpty() ? Instant.EPOCH : OffsetDateTime.parse(req.getSince()).toInstant();
    } catch (DateTimeParseException e) {
      call.onError(Status.INVALID_ARGUMENT.withDescription("since: \"" + req.getSince()
          + "\" is not an RFC 3339 time such as 2026-12-01T03:00:00Z").asRuntimeException());
      return;
    }
    AuditReadCall c = new AuditReadCall(call, audit, since);
    call.setOnReadyHandler(c::wake);
    call.setOnCancelHandler(c::cancel);
    Thread.ofVirtual().name("gantry-read-audit").start(c::run);
  }

  private void run() {
    try {
      audit.read(since, this::send);
      if (!cancelled) call.onCompleted();
    } catch (IOException e) {
      LOG.warn("reading the audit log: {}", e.toString());
      if (!cancelled) call.onError(Status.UNAVAILABLE.withDescription("audit log: " + e.getMessage()).asRuntimeException());
    } catch (RuntimeException e) {
      // The call closed under us (the caller went away between a look and a send).
    }
  }

  private boolean send(AuditRecord record) {
    synchronized (readiness) {
      while (!cancelled && !call.isReady()) {
        try {
          readiness.wait(POLL_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    if (cancelled) return false;
    call.onNext(record);
    return true;
  }

  private void wake() {
    synchronized (readiness) {
      readiness.notifyAll();
    }
  }

  private void cancel() {
    cancelled = true;
    wake();
  }
}
