package gantry.agent.metrics;

import gantry.agent.Agent;
import gantry.agent.runner.AllocationRunner;
import gantry.agent.session.ConnectionState;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.ClientStatus;
import gantry.v1.NodeMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code gantry_agent_*} series of one agent process, computed at each scrape from what its
 * allocation runners last measured (the samples it also reports to the leader), so nothing is
 * kept twice or goes stale. Every series has a {@code node} label (a simulating agent runs
 * several nodes):
 *
 * <ul>
 *   <li>{@code gantry_agent_allocation_cpu_percent{node,allocation,job,group}}: CPU of the
 *       allocation's running tasks, 100 = one core; {@code gantry_agent_allocation_memory_mib}:
 *       their memory. Only allocations with a sample;
 *   <li>{@code gantry_agent_allocations{node,status}}: allocations held, by client status, every
 *       status present (0 too);
 *   <li>{@code gantry_agent_cpu_percent{node}}, {@code gantry_agent_memory_used_mib{node}}: the
 *       node's totals over its running allocations (what its heartbeats carry);
 *   <li>{@code gantry_agent_session_open{node}}: 1 while the node holds a session with the leader.
 * </ul>
 */
public final class AgentMetrics implements MultiCollector {
  private final Supplier<List<Agent.Member>> members;

  public AgentMetrics(Supplier<List<Agent.Member>> members) {
    this.members = members;
  }

  @Override
  public MetricSnapshots collect() {
    GaugeSnapshot.Builder cpu = GaugeSnapshot.builder().name("gantry_agent_allocation_cpu_percent")
        .help("CPU the allocation's running tasks use, 100 = one core, as last sampled.");
    GaugeSnapshot.Builder mem = GaugeSnapshot.builder().name("gantry_agent_allocation_memory_mib")
        .help("Memory the allocation's running tasks use in MiB, as last sampled.");
    GaugeSnapshot.Builder byStatus = GaugeSnapshot.builder().name("gantry_agent_allocations")
        .help("Allocations this node holds, by client status.");
    GaugeSnapshot.Builder nodeCpu = GaugeSnapshot.builder().name("gantry_agent_cpu_percent")
        .help("CPU the node's running allocations use, 100 = one core.");
    GaugeSnapshot.Builder nodeMem = GaugeSnapshot.builder().name("gantry_agent_memory_used_mib")
        .help("Memory the node's running allocations use in MiB.");
    GaugeSnapshot.Builder session = GaugeSnapshot.builder().name("gantry_agent_session_open")
        .help("1 while the node holds its session with the leader, else 0.");
    for (Agent.Member m : members.get()) {
      String node = m.name();
      Map<ClientStatus, Integer> counts = new EnumMap<>(ClientStatus.class);
      for (AllocationRunner r : m.supervisor().runners()) {
        AllocationStatusUpdate s = r.status();
        counts.merge(s.getClientStatus(), 1, Integer::sum);
        if (s.hasMetrics() && s.getMetrics().getTimeMs() > 0) {
          var a = r.allocation();
          Labels labels = Labels.of("node", node, "allocation", r.id(), "job", a.getJob(), "group", a.getGroup());
          cpu.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(s.getMetrics().getCpuPercent()).labels(labels).build());
          mem.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(s.getMetrics().getMemoryMb()).labels(labels).build());
        }
      }
      for (ClientStatus status : ClientStatus.values()) {
        if (status == ClientStatus.UNRECOGNIZED || status == ClientStatus.CLIENT_STATUS_UNSPECIFIED) continue;
        byStatus.dataPoint(point(counts.getOrDefault(status, 0), "node", node, "status", label(status)));
      }
      NodeMetrics totals = m.supervisor().nodeMetrics();
      nodeCpu.dataPoint(point(totals.getCpuPercent(), "node", node));
      nodeMem.dataPoint(point(totals.getMemoryUsedMb(), "node", node));
      session.dataPoint(point(m.session().state() == ConnectionState.OPEN ? 1 : 0, "node", node));
    }
    return MetricSnapshots.of(cpu.build(), mem.build(), byStatus.build(), nodeCpu.build(), nodeMem.build(), session.build());
  }

  private static GaugeSnapshot.GaugeDataPointSnapshot point(double value, String... labels) {
    return GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
  }

  /** CLIENT_STATUS_RUNNING -> running, as the managers' series and the CLI say it. */
  static String label(ClientStatus s) {
    return s.name().substring("CLIENT_STATUS_".length()).toLowerCase(Locale.ROOT);
  }
}
