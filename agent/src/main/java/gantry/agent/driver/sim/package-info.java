/** A driver that runs nothing, for simulating many nodes in one process. */
package gantry.agent.driver.sim;
