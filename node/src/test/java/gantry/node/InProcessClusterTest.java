package gantry.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.config.ServerConfigLoader;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.GetJobRequest;
import gantry.v1.GetStateDigestRequest;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.ListJobsRequest;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three peers in one JVM: real Ratis, RocksDB and gRPC on loopback; the quick check of the wiring. */
class InProcessClusterTest {
  @TempDir Path dir;

  static JobSpec job(String name, int count) {
    return JobSpec.newBuilder().setName(name).addGroups(GroupSpec.newBuilder().setName("g").setCount(count)
        .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep")
            .setResources(Resources.newBuilder().setCpu(100).setMemory(32)))).build();
  }

  @Test
  void registersReplicatesAndAgreesOnDigest() throws Exception {
    int[] raft = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
    int[] grpc = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
    String peers = "m1=127.0.0.1:" + raft[0] + ",m2=127.0.0.1:" + raft[1] + ",m3=127.0.0.1:" + raft[2];
    List<ManagerPeer> running = new ArrayList<>();
    List<ManagedChannel> channels = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        String id = "m" + (i + 1);
        running.add(ManagerPeer.start(ServerConfigLoader.load(null, Map.of(
            "id", id, "data_dir", dir.resolve(id).toString(), "peers", peers,
            "grpc_addr", "127.0.0.1:" + grpc[i], "http_addr", ""))));
        channels.add(ManagedChannelBuilder.forTarget("127.0.0.1:" + grpc[i]).usePlaintext().build());
      }
      var first = ControlServiceGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(20, TimeUnit.SECONDS);
      var r1 = first.registerJob(RegisterJobRequest.newBuilder().setSpec(job("web", 3)).build());
      assertEquals(1, r1.getJob().getVersion());
      assertTrue(r1.getChanged());
      var again = first.registerJob(RegisterJobRequest.newBuilder().setSpec(job("web", 3)).build());
      assertEquals(1, again.getJob().getVersion());
      assertTrue(!again.getChanged());
      var third = ControlServiceGrpc.newBlockingStub(channels.get(2)).withDeadlineAfter(20, TimeUnit.SECONDS);
      var r2 = third.registerJob(RegisterJobRequest.newBuilder().setSpec(job("web", 5)).build());
      assertEquals(2, r2.getJob().getVersion());
      for (ManagedChannel ch : channels) {
        var stub = ControlServiceGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS);
        assertEquals(5, stub.getJob(GetJobRequest.newBuilder().setName("web").build()).getJob().getSpec().getGroups(0).getCount());
        assertEquals(1, stub.listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount());
      }
      String d0 = ControlServiceGrpc.newBlockingStub(channels.get(0)).getStateDigest(GetStateDigestRequest.getDefaultInstance()).getDigest();
      for (ManagedChannel ch : channels) {
        assertEquals(d0, ControlServiceGrpc.newBlockingStub(ch).getStateDigest(GetStateDigestRequest.getDefaultInstance()).getDigest());
      }
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
      running.forEach(ManagerPeer::close);
    }
  }
}
