/** Unit tests of the firewall rule bookkeeping and the probe classification. */
package gantry.chaos.cluster;
