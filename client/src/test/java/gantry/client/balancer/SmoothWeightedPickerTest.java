package gantry.client.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Attributes;
import io.grpc.LoadBalancer.Subchannel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SmoothWeightedPickerTest {
  /** A subchannel that only has a name: the picker never calls it. */
  static final class Named extends Subchannel {
    final String name;

    Named(String name) {
      this.name = name;
    }

    @Override
    public void shutdown() {}

    @Override
    public void requestConnection() {}

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static String sequence(int picks, long... weights) {
    List<ReadyEndpoint> ready = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) ready.add(new ReadyEndpoint(new Named(String.valueOf((char) ('a' + i))), weights[i]));
    var picker = new SmoothWeightedPicker(ready);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < picks; i++) out.add(picker.pickSubchannel(null).getSubchannel().toString());
    return String.join("", out);
  }

  @Test
  void spreadsTheHeavyEndpointsPicksInsteadOfRunningThem() {
    assertEquals("cbacbc" + "cbacbc", sequence(12, 1, 2, 3));
    assertEquals("cbacbc", sequence(6, 1000, 2000, 3000));
    // nginx's own example: weights 5, 1, 1
    assertEquals("aabacaa", sequence(7, 5, 1, 1));
  }

  @Test
  void givesEveryEndpointExactlyItsShareOverAPeriod() {
    String picks = sequence(600, 7, 3, 0, 10);
    var counts = picks.chars().mapToObj(c -> String.valueOf((char) c)).collect(Collectors.groupingBy(s -> s, Collectors.counting()));
    assertEquals(210L, counts.get("a"));
    assertEquals(90L, counts.get("b"));
    assertEquals(null, counts.get("c"), "a zero weight takes no calls");
    assertEquals(300L, counts.get("d"));
  }

  @Test
  void allZeroWeightsShareEqually() {
    assertEquals("abcabc", sequence(6, 0, 0, 0));
  }
}
