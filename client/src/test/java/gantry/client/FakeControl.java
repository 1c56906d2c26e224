package gantry.client;

import com.google.protobuf.Any;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.NotLeaderDetail;
import gantry.v1.ServiceEndpoint;
import gantry.v1.ServiceEndpoints;
import gantry.v1.WatchServiceRequest;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A manager's WatchService on a real loopback server: as the leader it streams the set it holds
 * (to new watchers at once, to open ones on every {@link #push}); as a follower it refuses with a
 * NotLeaderDetail, as the real managers do. Records every request it got.
 */
public final class FakeControl implements AutoCloseable {
  private final Server server;
  private final List<ServerCallStreamObserver<ServiceEndpoints>> watchers = new ArrayList<>();
  private final List<WatchServiceRequest> requests = new CopyOnWriteArrayList<>();
  private ServiceEndpoints current = ServiceEndpoints.newBuilder().setService("svc").build();
  private NotLeaderDetail followerOf; // null while leading

  public FakeControl() {
    var service = new ControlServiceGrpc.ControlServiceImplBase() {
      @Override
      public void watchService(WatchServiceRequest request, StreamObserver<ServiceEndpoints> out) {
        requests.add(request);
        var call = (ServerCallStreamObserver<ServiceEndpoints>) out;
        synchronized (FakeControl.this) {
          if (followerOf != null) {
            out.onError(refusal(followerOf));
            return;
          }
          watchers.add(call);
          call.setOnCancelHandler(() -> {
            synchronized (FakeControl.this) {
              watchers.remove(call);
            }
          });
          out.onNext(current);
        }
      }
    };
    try {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String address() {
    return "127.0.0.1:" + server.getPort();
  }

  /** Sends a new set with {@code index} to every open watch (and later ones). */
  public synchronized void push(long index, List<ServiceEndpoint> endpoints) {
    current = ServiceEndpoints.newBuilder().setService("svc").setIndex(index).addAllEndpoints(endpoints).build();
    for (var watcher : watchers) watcher.onNext(current);
  }

  /** Leadership moved to {@code leader} ("" for none known): open watches end UNAVAILABLE, new ones are refused. */
  public synchronized void stepDown(String leaderAddress) {
    followerOf = NotLeaderDetail.newBuilder().setLeaderGrpcAddress(leaderAddress).setLeaderId("other").build();
    for (var watcher : watchers) watcher.onError(Status.UNAVAILABLE.withDescription("leadership moved").asRuntimeException());
    watchers.clear();
  }

  public synchronized void lead(long index, List<ServiceEndpoint> endpoints) {
    followerOf = null;
    current = ServiceEndpoints.newBuilder().setService("svc").setIndex(index).addAllEndpoints(endpoints).build();
  }

  public List<WatchServiceRequest> requests() {
    return List.copyOf(requests);
  }

  private static RuntimeException refusal(NotLeaderDetail detail) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.FAILED_PRECONDITION.value()).setMessage("not the leader")
        .addDetails(Any.pack(detail)).build());
  }

  /** host:port where nothing listens (a port bound once and released). */
  public static String deadAddress() {
    try (var socket = new ServerSocket(0)) {
      return "127.0.0.1:" + socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      closeNow();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeNow() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
