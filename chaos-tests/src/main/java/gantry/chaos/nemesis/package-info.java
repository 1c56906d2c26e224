/** Faults on a schedule (kill, pause, partitions), each healed, and the timeline of when they were active. */
package gantry.chaos.nemesis;
