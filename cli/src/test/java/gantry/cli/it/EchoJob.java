package gantry.cli.it;

import gantry.v1.CheckSpec;
import gantry.v1.Constraint;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.PortSpec;
import gantry.v1.Resources;
import gantry.v1.RestartPolicy;
import gantry.v1.ServiceSpec;
import gantry.v1.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The echo example (examples/echo, its jar built before this module) as a job of the exec driver:
 * one task {@code echo} on port {@code grpc}, a tcp check, declaring the service. The service ITs
 * and benchmarks run it under Gantry and call it.
 */
final class EchoJob {
  private EchoJob() {}

  static Path jar() {
    Path jar = Path.of(System.getProperty("gantry.echo.jar", "../examples/echo/target/gantry-echo.jar"));
    if (!Files.isRegularFile(jar)) throw new IllegalStateException("no echo jar at " + jar + ": build examples/echo first");
    return jar;
  }

  /** {@code count} replicas of service {@code service}, each reserving {@code cpu} millicores; on distinct nodes if asked. */
  static GroupSpec.Builder group(String service, int count, long cpu, boolean distinctHosts) {
    TaskSpec task = TaskSpec.newBuilder().setName("echo").setDriver("exec")
        .addCommand(Path.of(System.getProperty("java.home"), "bin", "java").toString())
        .addCommand("-Xmx64m").addCommand("-XX:+UseSerialGC").addCommand("-XX:TieredStopAtLevel=1")
        .addCommand("-jar").addCommand(jar().toAbsolutePath().toString())
        .setResources(Resources.newBuilder().setCpu(cpu).setMemory(160))
        .addPorts(PortSpec.newBuilder().setName("grpc"))
        .setCheck(CheckSpec.newBuilder().setType("tcp").setPort("grpc").setIntervalMs(1000).setTimeoutMs(1000))
        .setService(ServiceSpec.newBuilder().setName(service).setPort("grpc"))
        .build();
    GroupSpec.Builder g = GroupSpec.newBuilder().setName("echo").setCount(count).addTasks(task)
        .setRestart(RestartPolicy.newBuilder().setAttempts(0).setMode("fail"));
    if (distinctHosts) g.addConstraints(Constraint.newBuilder().setOperator("distinct_hosts").setValue("true"));
    return g;
  }

  static JobSpec job(String name, GroupSpec.Builder group) {
    return JobSpec.newBuilder().setName(name).setType("service").addGroups(group).build();
  }
}
