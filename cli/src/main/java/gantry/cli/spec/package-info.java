/** Turns a job spec file (YAML or JSON) into a gantry.v1.JobSpec, naming the field path on every error. */
package gantry.cli.spec;
