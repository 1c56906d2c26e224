package gantry.node.guard;

import java.io.IOException;

/**
 * Where the guard writes the audit trail. {@link #record} returns once the entry is durable, so a
 * guard that calls it before it answers delivers "enforced" auditing: no answered write is
 * missing from the log.
 */
public interface AuditSink {
  /** Auditing off: nothing is written. */
  AuditSink NONE = entry -> {};

  /**
   * Appends one entry and forces it to disk.
   *
   * @throws IOException if it could not be made durable; the guard then fails the request
   */
  void record(AuditEntry entry) throws IOException;
}
