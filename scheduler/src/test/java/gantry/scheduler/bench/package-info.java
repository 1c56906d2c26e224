/** The JMH placement benchmark run by scripts/bench/scheduler-pure.sh, and a test that it measures real work. */
package gantry.scheduler.bench;
