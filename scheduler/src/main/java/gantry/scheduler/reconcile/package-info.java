/** Desired versus actual per task group: which replica slots to place, keep, stop, migrate or update. */
package gantry.scheduler.reconcile;
