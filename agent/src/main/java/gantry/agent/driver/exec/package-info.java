/** Runs tasks as plain child processes, each in its own session and task directory. */
package gantry.agent.driver.exec;
