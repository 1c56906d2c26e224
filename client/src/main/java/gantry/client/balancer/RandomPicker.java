package gantry.client.balancer;

import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.LoadBalancer.Subchannel;
import io.grpc.LoadBalancer.SubchannelPicker;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** Uniform over the READY endpoints, weights ignored. */
final class RandomPicker extends SubchannelPicker {
  private final List<Subchannel> subchannels;
  private final Supplier<RandomGenerator> random;

  RandomPicker(List<ReadyEndpoint> ready, Supplier<RandomGenerator> random) {
    this.subchannels = ready.stream().map(ReadyEndpoint::subchannel).toList();
    this.random = random;
  }

  @Override
  public PickResult pickSubchannel(PickSubchannelArgs args) {
    return PickResult.withSubchannel(subchannels.get(random.get().nextInt(subchannels.size())));
  }

  @Override
  public String toString() {
    return "RandomPicker" + subchannels;
  }
}
