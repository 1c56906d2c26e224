/** The replicated cluster state and replay(record), the only code that changes it. */
package gantry.node.state;
