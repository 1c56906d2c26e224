/** The gantry executable: the root command and its entry point. */
package gantry.cli;
