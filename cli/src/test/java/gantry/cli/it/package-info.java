/** Integration tests: real manager processes from the gantry jar on loopback, killed and restarted. */
package gantry.cli.it;
