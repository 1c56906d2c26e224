/** The ControlService connection: tries the listed managers in turn when one is unreachable. */
package gantry.cli.client;
