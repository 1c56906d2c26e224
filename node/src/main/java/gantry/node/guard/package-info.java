/**
 * Who is calling and what they may do: the peer's certificate identity, the ACL check, the
 * audit trail and the request limits, applied in one place to every gRPC and HTTP request.
 */
package gantry.node.guard;
