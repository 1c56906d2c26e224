package gantry.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.FreePorts;
import gantry.v1.BatchOutcome;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.JobRegistered;
import gantry.v1.JobSpec;
import gantry.v1.Record;
import gantry.v1.RecordBatch;
import java.nio.file.Path;
import java.util.List;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request Ratis appends to the log a second time is applied once (chaos finding
 * 2026-12-01-retry-after-install). The finding's path was a retry reaching a leader that got the
 * state by snapshot install; here the leader's retry cache is emptied by a restart instead, and
 * the client sends the same call again, as its retry would: real Ratis over gRPC, real RocksDB.
 */
class RepeatedRequestTest {
  @TempDir Path dir;
  private int raftPort;

  private RaftNode start() throws Exception {
    if (raftPort == 0) raftPort = FreePorts.next();
    return SinglePeer.start(dir, raftPort);
  }

  private static Message register(String image) {
    JobSpec spec = JobSpec.newBuilder().setName("dup").addGroups(GroupSpec.newBuilder().setName("g")
        .addTasks(gantry.v1.TaskSpec.newBuilder().setName("t").setDriver("docker").setImage(image))).build();
    RecordBatch batch = RecordBatch.newBuilder()
        .addRecords(Record.newBuilder().setJobRegistered(JobRegistered.newBuilder().setSpec(spec).setTimeMs(1))).build();
    return Message.valueOf(ByteString.copyFrom(batch.toByteArray()));
  }

  /**
   * Sends call {@code callId} of client {@code id} as that client's retry would: same ids, same
   * bytes. A leader not ready yet (just elected, its first entry not committed) refuses without
   * appending; the call is then sent again, as Ratis' own client does.
   */
  private static BatchOutcome send(RaftNode node, ClientId id, long callId, Message m) throws Exception {
    RaftGroup group = RaftGroup.valueOf(RaftNode.GROUP_ID, node.peers());
    try (RaftClient client = RaftClient.newBuilder().setClientId(id).setRaftGroup(group)
        .setProperties(new RaftProperties()).setParameters(new Parameters()).build()) {
      long end = System.nanoTime() + 30_000_000_000L;
      while (true) {
        RaftClientReply reply = client.getClientRpc().sendRequest(RaftClientRequest.newBuilder().setClientId(id)
            .setServerId(RaftPeerId.valueOf("m1")).setGroupId(group.getGroupId()).setCallId(callId).setMessage(m)
            .setType(RaftClientRequest.writeRequestType()).build());
        if (reply.getException() instanceof LeaderNotReadyException && System.nanoTime() < end) {
          Thread.sleep(50);
          continue;
        }
        assertTrue(reply.isSuccess(), String.valueOf(reply.getException()));
        return BatchOutcome.parseFrom(reply.getMessage().getContent().toByteArray());
      }
    }
  }

  private static Job job(RaftNode node) {
    return node.stateMachine().state().job("dup").orElseThrow();
  }

  @Test
  void aRequestAppendedAgainAfterTheRetryCacheIsGoneIsAppliedOnce() throws Exception {
    ClientId client = ClientId.randomId();
    RaftNode node = start();
    try {
      assertFalse(send(node, client, 7, register("img:1")).getReplayed());
      assertFalse(send(node, client, 8, register("img:2")).getReplayed());
      assertEquals(2, job(node).getVersion());
    } finally {
      node.close();
    }
    node = start(); // Ratis' retry cache is in memory: it knows neither call now
    try {
      BatchOutcome again = send(node, client, 7, register("img:1"));
      assertTrue(again.getReplayed(), "the copy is answered as a repeat: " + again);
      Job job = job(node);
      assertEquals(2, job.getVersion(), "call 7 is not applied a second time");
      assertEquals("img:2", job.getSpec().getGroups(0).getTasks(0).getImage());
      assertFalse(send(node, client, 9, register("img:1")).getReplayed(), "a new call is applied");
      assertEquals(3, job(node).getVersion());
    } finally {
      node.close();
    }
  }

  @Test
  void everyPeerForgetsTheSameRequestsAtTheSameIndex() {
    RequestIds ids = new RequestIds(3);
    assertEquals(List.of(), ids.applied("c/aa/1", 10));
    assertEquals(List.of(), ids.applied("c/aa/2", 11));
    assertEquals(List.of("c/aa/1"), ids.applied("c/aa/3", 13), "index 10 is 3 entries behind 13");
    RequestIds reloaded = new RequestIds(3);
    reloaded.load("c/aa/3", RequestIds.encode(13));
    reloaded.load("c/aa/2", RequestIds.encode(11));
    reloaded.loaded();
    assertEquals(ids.applied("c/bb/1", 14), reloaded.applied("c/bb/1", 14), "a store loaded again prunes the same");
    assertEquals(ids.size(), reloaded.size());
  }
}
