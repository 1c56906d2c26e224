/** What the leader knows of the agents right now and does not replicate: resource use, and log requests over their sessions. */
package gantry.node.live;
