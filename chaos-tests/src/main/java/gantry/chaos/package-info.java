/** Jepsen-style campaigns against a Gantry manager cluster in containers: the entry point {@link gantry.chaos.Campaign}. */
package gantry.chaos;
