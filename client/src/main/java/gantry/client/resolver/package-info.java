/** The {@code gantry:///SERVICE} name resolver: endpoint sets pushed by the leader's WatchService. */
package gantry.client.resolver;
