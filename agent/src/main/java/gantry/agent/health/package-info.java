/** Task health checks (http, tcp) and the pure consecutive-failure tracker that turns results into health. */
package gantry.agent.health;
