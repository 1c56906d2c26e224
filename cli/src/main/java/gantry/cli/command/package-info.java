/** One class per command; each parses its flags, calls the client and hands the answer to the output package. */
package gantry.cli.command;
