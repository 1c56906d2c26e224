/** The HTTP face of a manager peer: the JSON API over the control layer and Prometheus {@code /metrics}. */
package gantry.node.http;
