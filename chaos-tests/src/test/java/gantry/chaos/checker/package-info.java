/** Checker tests on hand-built histories. */
package gantry.chaos.checker;
