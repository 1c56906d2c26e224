/** The per-run report directory: history, verdicts, nemesis timeline and an HTML page with a latency plot. */
package gantry.chaos.report;
