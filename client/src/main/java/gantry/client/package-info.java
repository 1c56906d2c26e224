/**
 * The Java client of Gantry: the ControlService with manager failover and leader redirects, the
 * {@code gantry:///SERVICE} name resolver, and the {@code random} and {@code weighted} balancers.
 */
package gantry.client;
