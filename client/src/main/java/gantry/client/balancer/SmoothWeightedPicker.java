package gantry.client.balancer;

import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.LoadBalancer.Subchannel;
import io.grpc.LoadBalancer.SubchannelPicker;
import java.util.List;

/**
 * Smooth weighted round robin (the nginx upstream algorithm): each pick adds w_i to every
 * current_i, takes the endpoint with the largest current_i (the first on a tie) and subtracts the
 * total weight from it. Over every W / gcd(w) consecutive picks each endpoint gets exactly its
 * share, and the picks of a heavy endpoint are spread out instead of coming in a run: weights 1, 2,
 * 3 give C B A C B C ... not C C C B B A.
 *
 * <p>Weights of zero or below take no calls, unless every endpoint has one: then all get equal
 * shares (a set of zero weights still has to serve).
 *
 * <p>Picks of concurrent calls are serialised on the picker: the state is a handful of longs.
 */
final class SmoothWeightedPicker extends SubchannelPicker {
  private final Subchannel[] subchannels;
  private final long[] weights;
  private final long[] current;
  private final long total;

  SmoothWeightedPicker(List<ReadyEndpoint> ready) {
    boolean anyPositive = ready.stream().anyMatch(e -> e.weight() > 0);
    List<ReadyEndpoint> taking = anyPositive ? ready.stream().filter(e -> e.weight() > 0).toList() : ready;
    subchannels = taking.stream().map(ReadyEndpoint::subchannel).toArray(Subchannel[]::new);
    weights = taking.stream().mapToLong(e -> anyPositive ? e.weight() : 1).toArray();
    current = new long[weights.length];
    long sum = 0;
    for (long w : weights) sum = Math.addExact(sum, w);
    total = sum;
  }

  @Override
  public PickResult pickSubchannel(PickSubchannelArgs args) {
    return PickResult.withSubchannel(subchannels[next()]);
  }

  /** The index of the next endpoint; package-private for the unit test of the sequence. */
  synchronized int next() {
    int best = 0;
    for (int i = 0; i < weights.length; i++) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    return best;
  }

  @Override
  public String toString() {
    return "SmoothWeightedPicker" + List.of(subchannels) + " weights " + java.util.Arrays.toString(weights);
  }
}
