/** The manager cluster under test: containers on a private Docker network, and the faults it can suffer. */
package gantry.chaos.cluster;
