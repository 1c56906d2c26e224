/** What the workload did and saw: operations with invoke and completion times, recorded as JSON lines. */
package gantry.chaos.history;
