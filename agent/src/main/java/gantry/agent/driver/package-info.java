/** The task-driver boundary: what the allocation runner may ask of a way to run a task. */
package gantry.agent.driver;
