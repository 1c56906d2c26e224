/** The event stream: the changes each applied entry made, kept in a bounded ring per peer and followed by subscribers. */
package gantry.node.events;
