package gantry.client;

import io.grpc.Attributes;

/**
 * What the {@code gantry:///} resolver attaches to each endpoint's EquivalentAddressGroup, for
 * balancers (the {@code weighted} policy reads {@link #WEIGHT}) and for users' own policies.
 */
public final class EndpointAttributes {
  /** r_i of the endpoint (ServiceEndpoint.weight): it gets r_i / sum r_j of a weighted client's calls. */
  public static final Attributes.Key<Long> WEIGHT = Attributes.Key.create("gantry.endpoint.weight");
  /** Where the weight comes from: capacity, fixed or headroom (ServiceEndpoint.weight_source). */
  public static final Attributes.Key<String> WEIGHT_SOURCE = Attributes.Key.create("gantry.endpoint.weight_source");
  /** The allocation that serves the endpoint. */
  public static final Attributes.Key<String> ALLOCATION_ID = Attributes.Key.create("gantry.endpoint.allocation_id");
  /** The node the allocation runs on. */
  public static final Attributes.Key<String> NODE_NAME = Attributes.Key.create("gantry.endpoint.node_name");

  private EndpointAttributes() {}
}
