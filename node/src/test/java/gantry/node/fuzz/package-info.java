/**
 * Coverage-guided fuzz targets (Jazzer {@code @FuzzTest}) for the node's two doors: the gRPC
 * control API (in-process) and the HTTP API (loopback), both over one real single-peer Raft
 * group ({@link gantry.node.fuzz.FuzzCluster}) per test class. The contract they
 * check: a request may be refused, never answered INTERNAL (HTTP 5xx other than 503), and a
 * refused write changes no state (GetStateDigest). Without {@code JAZZER_FUZZ} the kept corpus
 * ({@code src/test/resources/gantry/node/fuzz/*Inputs/}) runs as regression tests.
 */
package gantry.node.fuzz;
