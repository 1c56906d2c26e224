/** The autoscaler's policy, pure: measured use over a window in, a group's next count (or why it holds) out. */
package gantry.node.autoscale;
