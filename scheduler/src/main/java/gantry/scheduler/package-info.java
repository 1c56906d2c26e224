/** The scheduler: a pure function from a {@link gantry.scheduler.ClusterSnapshot} and an evaluation to a {@link gantry.scheduler.Plan}, and the {@link gantry.scheduler.PlanChecker} that re-checks a plan before commit. */
package gantry.scheduler;
