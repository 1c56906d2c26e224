/** Feasibility filters: small checks that each reject a node with a human reason, counted into the placement explanation. */
package gantry.scheduler.feasible;
