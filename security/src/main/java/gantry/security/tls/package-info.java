/**
 * Mutual TLS 1.3 material read from the three PEM files ({@code --tls-ca --tls-cert --tls-key}),
 * reloadable without a restart, and the Netty and JDK contexts every Gantry port is served with.
 */
package gantry.security.tls;
