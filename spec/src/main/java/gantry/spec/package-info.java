/**
 * The one authority on job specs: reads YAML or JSON into a gantry.v1.JobSpec and checks the rules a
 * spec must meet, naming the field path on every error; the CLI and the server share it.
 */
package gantry.spec;
