/**
 * Certificates for Gantry's mutual TLS: a cluster CA, certificates that carry a {@link gantry.security.Role}
 * (server, agent, client) as a SAN DNS name, PEM files with owner-only keys, and the role of a peer's certificate.
 */
package gantry.security;
