/**
 * Runs tasks as Docker containers, speaking the Engine API itself: HTTP/1.1 on the engine's socket
 * or on tcp, in plain text or TLS ({@link gantry.agent.driver.docker.EngineClient},
 * {@link gantry.agent.driver.docker.HttpAnswer}, {@link gantry.agent.driver.docker.EngineTls}) and a
 * small JSON reader and writer ({@link gantry.agent.driver.docker.Json}); the engine's container
 * events on one long-lived connection ({@link gantry.agent.driver.docker.EngineEvents}) tell the
 * runners when their containers end.
 */
package gantry.agent.driver.docker;
