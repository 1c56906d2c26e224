/** The agent's session with the managers: registration, the Session stream, heartbeats, redirects, reconnects. */
package gantry.agent.session;
