/** Unit tests of the partition proof. */
package gantry.chaos.nemesis;
