package gantry.cli;

import gantry.v1.ControlServiceGrpc;
import gantry.v1.DeregisterJobRequest;
import gantry.v1.DeregisterJobResponse;
import gantry.v1.GetJobRequest;
import gantry.v1.GetJobResponse;
import gantry.v1.Job;
import gantry.v1.JobSpec;
import gantry.v1.JobStatus;
import gantry.v1.ListJobsRequest;
import gantry.v1.ListJobsResponse;
import gantry.v1.ListPeersRequest;
import gantry.v1.ListPeersResponse;
import gantry.v1.Peer;
import gantry.v1.RegisterJobRequest;
import gantry.v1.RegisterJobResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/** A real gRPC server on a free loopback port with a canned ControlService: one job, "web". */
final class FakeControlServer implements AutoCloseable {
  static final Job WEB = Job.newBuilder()
      .setName("web").setVersion(2).setStatus(JobStatus.JOB_STATUS_RUNNING).setSubmitTimeMs(1_700_000_000_000L)
      .setSpec(JobSpec.newBuilder().setName("web").setType("service").setPriority(50)
          .addGroups(gantry.v1.GroupSpec.newBuilder().setName("frontend").setCount(3)
              .addTasks(gantry.v1.TaskSpec.newBuilder().setName("httpd"))))
      .build();

  private final Server server;

  FakeControlServer() {
    try {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new Service()).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  /** A loopback address where nothing listens: connections are refused at once. */
  static String deadAddress() {
    try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class Service extends ControlServiceGrpc.ControlServiceImplBase {
    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> out) {
      out.onNext(ListJobsResponse.newBuilder().addJobs(WEB).setAppliedIndex(7).build());
      out.onCompleted();
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<GetJobResponse> out) {
      if (!request.getName().equals("web")) {
        out.onError(Status.NOT_FOUND.withDescription("no job named " + request.getName()).asRuntimeException());
        return;
      }
      out.onNext(GetJobResponse.newBuilder().setJob(WEB).build());
      out.onCompleted();
    }

    @Override
    public void registerJob(RegisterJobRequest request, StreamObserver<RegisterJobResponse> out) {
      var spec = request.getSpec();
      for (int i = 0; i < spec.getGroupsCount(); i++) {
        if (spec.getGroups(i).hasCount() && spec.getGroups(i).getCount() < 0) {
          out.onError(Status.INVALID_ARGUMENT.withDescription("groups[" + i + "].count: must be >= 0").asRuntimeException());
          return;
        }
      }
      boolean same = spec.getName().equals("web");
      var job = Job.newBuilder().setName(spec.getName()).setVersion(same ? 2 : 1).setSpec(spec).build();
      out.onNext(RegisterJobResponse.newBuilder().setJob(job).setChanged(!same).setIndex(9).build());
      out.onCompleted();
    }

    @Override
    public void deregisterJob(DeregisterJobRequest request, StreamObserver<DeregisterJobResponse> out) {
      if (!request.getName().equals("web")) {
        out.onError(Status.NOT_FOUND.withDescription("no job named " + request.getName()).asRuntimeException());
        return;
      }
      out.onNext(DeregisterJobResponse.newBuilder().setJob(WEB.toBuilder().setStatus(JobStatus.JOB_STATUS_STOPPED)).setChanged(true).build());
      out.onCompleted();
    }

    @Override
    public void listPeers(ListPeersRequest request, StreamObserver<ListPeersResponse> out) {
      out.onNext(ListPeersResponse.newBuilder()
          .addPeers(Peer.newBuilder().setId("m1").setRaftAddress("127.0.0.1:4648").setGrpcAddress("127.0.0.1:4647").setLeader(true))
          .addPeers(Peer.newBuilder().setId("m2").setRaftAddress("127.0.0.1:5648").setGrpcAddress("127.0.0.1:5647"))
          .build());
      out.onCompleted();
    }
  }
}
