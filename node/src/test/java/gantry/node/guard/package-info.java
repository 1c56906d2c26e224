/** Tests of the guard on real peers and sockets: ACLs, the audit log, the limits, mutual TLS. */
package gantry.node.guard;
