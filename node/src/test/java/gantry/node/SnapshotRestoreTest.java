package gantry.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.backup.SnapshotFile;
import gantry.node.config.ServerConfigLoader;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.Job;
import gantry.v1.ListJobVersionsRequest;
import gantry.v1.ListJobsRequest;
import gantry.v1.RegisterJobRequest;
import gantry.v1.RestoreSnapshotResponse;
import gantry.v1.SaveSnapshotRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups end to end in one JVM: a one-peer cluster saves its state over gRPC; a fresh three-peer
 * cluster refuses a damaged copy (unchanged), restores the good one through Raft so that every
 * peer holds the same jobs, and refuses a second restore over jobs unless forced.
 */
class SnapshotRestoreTest {
  @TempDir Path dir;
  private final List<ManagerPeer> running = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    running.forEach(ManagerPeer::close);
  }

  private List<ManagedChannel> cluster(String name, int size) throws Exception {
    int[] raft = new int[size];
    int[] grpc = new int[size];
    StringBuilder peers = new StringBuilder();
    for (int i = 0; i < size; i++) {
      raft[i] = FreePorts.next();
      grpc[i] = FreePorts.next();
      peers.append(i == 0 ? "" : ",").append("m").append(i + 1).append("=127.0.0.1:").append(raft[i]);
    }
    List<ManagedChannel> mine = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      String id = "m" + (i + 1);
      running.add(ManagerPeer.start(ServerConfigLoader.load(null, Map.of(
          "id", id, "data_dir", dir.resolve(name).resolve(id).toString(), "peers", peers.toString(),
          "grpc_addr", "127.0.0.1:" + grpc[i], "http_addr", ""))));
      ManagedChannel ch = ManagedChannelBuilder.forTarget("127.0.0.1:" + grpc[i]).usePlaintext().build();
      mine.add(ch);
      channels.add(ch);
    }
    // Every peer knows its leader before the test reads from it: a peer that started last may not
    // have heard from the leader yet, and a linearizable read there is then refused (UNAVAILABLE).
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (ManagedChannel ch : mine) {
      while (true) {
        try {
          stub(ch).getLeader(gantry.v1.GetLeaderRequest.getDefaultInstance());
          break;
        } catch (StatusRuntimeException e) {
          if (System.nanoTime() > end) throw new AssertionError("a peer of cluster " + name + " knew no leader in 30 s", e);
          Thread.sleep(50);
        }
      }
    }
    return mine;
  }

  private static ControlServiceGrpc.ControlServiceBlockingStub stub(ManagedChannel ch) {
    return ControlServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static byte[] save(ManagedChannel ch) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    stub(ch).saveSnapshot(SaveSnapshotRequest.getDefaultInstance()).forEachRemaining(c -> out.writeBytes(c.getData().toByteArray()));
    return out.toByteArray();
  }

  private static RestoreSnapshotResponse restore(ManagedChannel ch, byte[] file, boolean force) throws Exception {
    return SnapshotUpload.send(ControlServiceGrpc.newStub(ch), file, 1000, force);
  }

  /** Name, version and spec of each job: what the user registered, as the cluster holds it. */
  private static List<String> jobs(ManagedChannel ch, boolean stale) {
    return stub(ch).listJobs(ListJobsRequest.newBuilder().setStale(stale).build()).getJobsList().stream()
        .map(j -> j.getName() + "@" + j.getVersion() + ":" + j.getSpec()).sorted().toList();
  }

  @Test
  void savesRestoresIntoAFreshClusterAndRefusesDamage() throws Exception {
    ManagedChannel a = cluster("a", 1).getFirst();
    stub(a).registerJob(RegisterJobRequest.newBuilder().setSpec(InProcessClusterTest.job("web", 2)).build());
    stub(a).registerJob(RegisterJobRequest.newBuilder().setSpec(InProcessClusterTest.job("web", 4)).build());
    stub(a).registerJob(RegisterJobRequest.newBuilder().setSpec(InProcessClusterTest.job("api", 1)).build());
    byte[] file = save(a);
    SnapshotFile.Contents contents = SnapshotFile.parse(file);
    assertEquals(2, contents.header().getJobs());
    assertTrue(contents.header().getRaftIndex() > 0);
    List<String> expected = jobs(a, false);
    assertEquals(2, expected.size());

    List<ManagedChannel> b = cluster("b", 3);
    // A truncated copy: refused with the reason, the cluster unchanged.
    var cut = assertThrows(StatusRuntimeException.class, () -> restore(b.get(1), Arrays.copyOf(file, file.length - 10), false));
    assertEquals(Status.Code.INVALID_ARGUMENT, cut.getStatus().getCode());
    assertTrue(cut.getStatus().getDescription().startsWith("snapshot file: truncated"), cut.getStatus().getDescription());
    assertEquals(List.of(), jobs(b.get(0), false));

    RestoreSnapshotResponse r = restore(b.get(1), file, false);
    assertEquals(2, r.getJobs());
    assertEquals(contents.header().getRaftIndex(), r.getSourceIndex());
    assertEquals(contents.sha256(), r.getSha256());
    for (ManagedChannel peer : b) {
      assertEquals(expected, jobs(peer, false));
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!jobs(peer, true).equals(expected) && System.nanoTime() < end) Thread.sleep(50);
      assertEquals(expected, jobs(peer, true), "every peer applied the restore");
      assertEquals(List.of(1L, 2L), stub(peer).listJobVersions(ListJobVersionsRequest.newBuilder().setJob("web").build())
          .getVersionsList().stream().map(Job::getVersion).sorted().toList());
    }

    // B has jobs now: a second restore is refused unless forced.
    var again = assertThrows(StatusRuntimeException.class, () -> restore(b.get(0), file, false));
    assertEquals(Status.Code.FAILED_PRECONDITION, again.getStatus().getCode());
    assertTrue(again.getStatus().getDescription().contains("--force"), again.getStatus().getDescription());
    stub(b.get(2)).registerJob(RegisterJobRequest.newBuilder().setSpec(InProcessClusterTest.job("extra", 1)).build());
    restore(b.get(2), file, true);
    assertEquals(expected, jobs(b.get(0), false), "a forced restore replaced the whole state, the extra job too");
    // The restored cluster takes writes as usual.
    stub(b.get(0)).registerJob(RegisterJobRequest.newBuilder().setSpec(InProcessClusterTest.job("after", 1)).build());
    assertEquals(3, jobs(b.get(1), false).size());
  }
}
