/** The {@code random} and {@code weighted} load-balancing policies over the resolver's endpoints. */
package gantry.client.balancer;
