/** Concurrent clients that register, update, stop and read jobs over a small key space and record every call. */
package gantry.chaos.workload;
