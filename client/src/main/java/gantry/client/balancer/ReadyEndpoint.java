package gantry.client.balancer;

import io.grpc.LoadBalancer.Subchannel;

/** A subchannel that is READY now, with the weight its endpoint had in the last resolved set. */
public record ReadyEndpoint(Subchannel subchannel, long weight) {}
