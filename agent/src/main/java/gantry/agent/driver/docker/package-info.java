/** Runs tasks as Docker containers; the only package that imports docker-java. */
package gantry.agent.driver.docker;
