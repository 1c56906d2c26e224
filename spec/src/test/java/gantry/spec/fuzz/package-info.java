/**
 * Coverage-guided fuzz targets (Jazzer {@code @FuzzTest}) for the spec's two entry points: the
 * parser, which reads whatever text a user sends, and the validator, which judges whatever
 * JobSpec a gRPC client sends. Without {@code JAZZER_FUZZ} they run their kept corpus
 * ({@code src/test/resources/gantry/spec/fuzz/*Inputs/}) as regression tests; {@code
 * scripts/fuzz.sh} fuzzes them.
 */
package gantry.spec.fuzz;
