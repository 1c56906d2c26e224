/** The HTTP face of a manager peer: the JSON API over the control layer. */
package gantry.node.http;
