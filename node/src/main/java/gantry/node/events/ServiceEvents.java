package gantry.node.events;

import gantry.node.live.ServiceCatalog;
import gantry.node.state.ClusterState;
import gantry.v1.Allocation;
import gantry.v1.Event;
import gantry.v1.ServiceEndpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The service topic: which endpoints each allocation serves, by {@link ServiceCatalog}'s rule
 * applied to the replicated state alone (the static weight, never live use), and the events an
 * entry makes by changing that: {@code ServiceRegistered} for an endpoint that joined or changed,
 * {@code ServiceDeregistered} (with the endpoint as it was) for one that left.
 *
 * <p>Only the allocations an entry wrote, and those on the nodes it wrote, are looked at again,
 * so an entry that touches neither costs nothing. Every peer replays the same entries and starts
 * from the same state ({@link #reset} at load and after a snapshot), so every peer makes the
 * same service events, in allocation id order within an entry.
 *
 * <p>Used on the apply thread only.
 */
final class ServiceEvents {
  static final String REGISTERED = "ServiceRegistered";
  static final String DEREGISTERED = "ServiceDeregistered";

  /**
   * Allocation id -> the endpoints it serves, for the allocations serving any. Which allocations
   * a node holds is the state's own index: nodes and allocations are never dropped from it
   * without a write of their own.
   */
  private final Map<String, List<ServiceEndpoint>> serving = new HashMap<>();

  /** Forgets what was served and reads it again from {@code state} (at load, or once a snapshot replaced the state). */
  void reset(ClusterState state) {
    serving.clear();
    for (Allocation a : state.allocs()) {
      List<ServiceEndpoint> now = ServiceCatalog.endpointsOf(a, state, Map.of());
      if (!now.isEmpty()) serving.put(a.getId(), now);
    }
  }

  /**
   * The service events of the entry at {@code index}, which wrote {@code allocations} and
   * {@code nodes}; {@code state} is as the entry left it.
   */
  List<Event> changes(long index, Set<String> allocations, Set<String> nodes, ClusterState state) {
    if (allocations.isEmpty() && nodes.isEmpty()) return List.of();
    Set<String> ids = new TreeSet<>(allocations);
    for (String node : nodes) {
      for (Allocation a : state.allocsOfNodeUnordered(node)) ids.add(a.getId());
    }
    List<Event> out = new ArrayList<>();
    for (String id : ids) {
      Allocation a = state.alloc(id).orElse(null);
      List<ServiceEndpoint> before = serving.getOrDefault(id, List.of());
      List<ServiceEndpoint> after = a == null ? List.of() : ServiceCatalog.endpointsOf(a, state, Map.of());
      if (before.equals(after)) continue;
      for (ServiceEndpoint was : before) {
        if (after.stream().noneMatch(e -> sameEndpoint(e, was))) out.add(event(index, DEREGISTERED, was));
      }
      for (ServiceEndpoint now : after) {
        if (!before.contains(now)) out.add(event(index, REGISTERED, now));
      }
      if (after.isEmpty()) {
        serving.remove(id);
      } else {
        serving.put(id, after);
      }
    }
    return out;
  }

  /** The same task's endpoint of one allocation (its address, port or weight may differ). */
  private static boolean sameEndpoint(ServiceEndpoint a, ServiceEndpoint b) {
    return a.getService().equals(b.getService()) && a.getTask().equals(b.getTask());
  }

  private static Event event(long index, String type, ServiceEndpoint e) {
    return Event.newBuilder().setIndex(index).setTopic(Topic.SERVICE.wireName()).setType(type).setKey(e.getService())
        .setServiceEndpoint(e).build();
  }
}
