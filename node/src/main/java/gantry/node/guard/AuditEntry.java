package gantry.node.guard;

import java.time.Instant;

/**
 * One line of the audit log: a request that changed (or tried to change) state, or one that was
 * denied. Never holds a token's secret: {@code accessor} is the token's public id.
 *
 * @param time when the request was decided
 * @param accessor the accessor id of the caller's token, "" when it sent none (or ACLs are off)
 * @param certName the CN of the caller's certificate, "" on plaintext
 * @param remote the caller's "host:port"
 * @param method the gRPC method ("gantry.v1.ControlService/RegisterJob") or "HTTP_METHOD /path"
 * @param target what the request names (a job, node, policy, token accessor), or ""
 * @param outcome "ok", "denied", or the failure's status code name ("INVALID_ARGUMENT", ...)
 * @param reason why it was denied or failed (one line), or ""
 */
public record AuditEntry(Instant time, String accessor, String certName, String remote, String method, String target,
    String outcome, String reason) {}
