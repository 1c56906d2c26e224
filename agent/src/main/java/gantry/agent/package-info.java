/** The agent: the session with the managers, the allocation runner and the task drivers. */
package gantry.agent;
