/** Human tables and JSON documents for command output. */
package gantry.cli.output;
