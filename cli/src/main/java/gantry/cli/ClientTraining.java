package gantry.cli;

import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.GetJobRequest;
import gantry.v1.GetJobResponse;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.JobSpec;
import gantry.v1.JobStatus;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListAllocationsResponse;
import gantry.v1.ListJobsRequest;
import gantry.v1.ListJobsResponse;
import gantry.v1.ListNodesRequest;
import gantry.v1.ListNodesResponse;
import gantry.v1.ListPeersRequest;
import gantry.v1.ListPeersResponse;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import gantry.v1.Peer;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training run of the client verbs' ahead-of-time class cache ({@code scripts/lib/client-jvm.sh},
 * JDK 25 and later). The cache keeps the classes and method profiles its training run used; a run
 * against an address where nothing listens stops at the refused connection and leaves out the
 * HTTP/2 exchange, the protobuf answers and the tables. So this run makes the calls a user makes
 * most ({@code job ls}, {@code job status}, {@code node ls}, {@code alloc ls}, {@code operator raft
 * peers}, and one the server refuses) through the real command tree, over gRPC on loopback, to a
 * ControlService of its own that answers with a made-up one-job, one-node cluster. It prints
 * nothing and is not a verb: {@code java -cp gantry.jar gantry.cli.ClientTraining}.
 */
public final class ClientTraining {
  private ClientTraining() {}

  static final Job JOB = Job.newBuilder().setName("web").setVersion(1).setStatus(JobStatus.JOB_STATUS_RUNNING)
      .setSubmitTimeMs(1_700_000_000_000L)
      .setSpec(JobSpec.newBuilder().setName("web").setType("service").setPriority(50)
          .addGroups(GroupSpec.newBuilder().setName("frontend").setCount(1)))
      .build();

  static final Node NODE = Node.newBuilder().setId("n1").setName("a1").setAddress("127.0.0.1")
      .setStatus(NodeStatus.NODE_STATUS_READY).setEligible(true).build();

  static final Allocation ALLOCATION = Allocation.newBuilder().setId("7c7c7c7c-0000-4000-8000-000000000000")
      .setJob("web").setJobVersion(1).setGroup("frontend").setNodeId("n1").setNodeName("a1")
      .setClientStatus(ClientStatus.CLIENT_STATUS_RUNNING).build();

  public static void main(String[] args) throws Exception {
    run();
  }

  /** Makes the calls; returns their exit codes, in order (the last, refused by the server, is 1). */
  static List<Integer> run() throws Exception {
    var codes = new java.util.ArrayList<Integer>();
    // Every verb's and sub-verb's classes, for the cache: a call builds only the one it names.
    Gantry.commandLine();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new Answers()).build().start();
    try {
      String address = "127.0.0.1:" + server.getPort();
      List<String[]> calls = List.of(
          new String[] {"job", "ls"}, new String[] {"job", "status", "web"}, new String[] {"node", "ls"},
          new String[] {"alloc", "ls"}, new String[] {"operator", "raft", "peers"},
          new String[] {"deployment", "ls"});
      var nowhere = new PrintWriter(Writer.nullWriter());
      for (String[] call : calls) {
        String[] withAddress = java.util.Arrays.copyOf(call, call.length + 2);
        withAddress[call.length] = "--address";
        withAddress[call.length + 1] = address;
        var cmd = Gantry.commandLineFor(withAddress);
        cmd.setOut(nowhere);
        cmd.setErr(nowhere);
        codes.add(cmd.execute(withAddress));
      }
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    return codes;
  }

  /** The made-up cluster's answers; every other call is UNIMPLEMENTED, as gRPC answers by default. */
  private static final class Answers extends ControlServiceGrpc.ControlServiceImplBase {
    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> out) {
      answer(out, ListJobsResponse.newBuilder().addJobs(JOB).build());
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<GetJobResponse> out) {
      answer(out, GetJobResponse.newBuilder().setJob(JOB).build());
    }

    @Override
    public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> out) {
      answer(out, ListNodesResponse.newBuilder().addNodes(NODE).build());
    }

    @Override
    public void listAllocations(ListAllocationsRequest request, StreamObserver<ListAllocationsResponse> out) {
      answer(out, ListAllocationsResponse.newBuilder().addAllocations(ALLOCATION).build());
    }

    @Override
    public void listPeers(ListPeersRequest request, StreamObserver<ListPeersResponse> out) {
      answer(out, ListPeersResponse.newBuilder().addPeers(Peer.newBuilder().setId("m1").setGrpcAddress("127.0.0.1:4647")
          .setRaftAddress("127.0.0.1:4648").setLeader(true).setRole("LEADER")).build());
    }

    private static <T> void answer(StreamObserver<T> out, T response) {
      out.onNext(response);
      out.onCompleted();
    }
  }
}
