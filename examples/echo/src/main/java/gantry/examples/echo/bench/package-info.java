/** The benchmarks' drivers (scripts/bench/lb.sh, autoscale.sh): measure a running cluster through the echo service. */
package gantry.examples.echo.bench;
