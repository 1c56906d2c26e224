package gantry.agent.session;

import gantry.v1.AgentMessage;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.Assignment;
import gantry.v1.Assignments;
import gantry.v1.DispatcherServiceGrpc;
import gantry.v1.HeartbeatAck;
import gantry.v1.ManagerMessage;
import gantry.v1.NotLeader;
import gantry.v1.NotLeaderDetail;
import gantry.v1.RegisterNodeRequest;
import gantry.v1.RegisterNodeResponse;
import io.grpc.Server;
import com.google.protobuf.Any;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of a manager peer: a real grpc-java server on a free loopback port that follows a
 * script. As a follower it answers Register with FAILED_PRECONDITION and a NotLeaderDetail; as the
 * leader it accepts sessions, sends the assignments set for each node at once and on every change,
 * acknowledges heartbeats and records everything it receives.
 */
public final class ScriptedManager implements AutoCloseable {
  private final Server server;
  private volatile String followerOf;
  private final Map<String, List<Assignment>> assignments = new ConcurrentHashMap<>();
  private final Map<String, StreamObserver<ManagerMessage>> streams = new ConcurrentHashMap<>();
  public final List<RegisterNodeRequest> registrations = new CopyOnWriteArrayList<>();
  public final List<String> opens = new CopyOnWriteArrayList<>();
  public final List<AllocationStatusUpdate> updates = new CopyOnWriteArrayList<>();
  public final AtomicInteger heartbeats = new AtomicInteger();
  /** Assignments messages sent (one on each open, one per {@link #assign} to an open stream), counted first. */
  public final AtomicInteger assignmentsSent = new AtomicInteger();
  private final AtomicInteger index = new AtomicInteger();

  /** The subject of the client certificate of every call, with TLS. */
  public final List<String> callers = new CopyOnWriteArrayList<>();

  public ScriptedManager(int port) throws IOException {
    this(port, null);
  }

  /** With {@code tls} (a server context), mutual TLS; plaintext if null. */
  public ScriptedManager(int port, io.netty.handler.ssl.SslContext tls) throws IOException {
    io.grpc.ServerInterceptor recordCaller = new io.grpc.ServerInterceptor() {
      @Override
      public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call, io.grpc.Metadata headers,
          io.grpc.ServerCallHandler<Q, R> next) {
        javax.net.ssl.SSLSession session = call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session != null) {
          try {
            callers.add(((java.security.cert.X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName());
          } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            callers.add("unverified");
          }
        }
        return next.startCall(call, headers);
      }
    };
    // The managers' default max_streams_per_connection: more calls on one connection wait.
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).sslContext(tls)
        .maxConcurrentCallsPerConnection(1000)
        .addService(io.grpc.ServerInterceptors.intercept(new Service(), recordCaller)).build().start();
  }

  public ScriptedManager() throws IOException {
    this(0);
  }

  public String address() {
    return "127.0.0.1:" + server.getPort();
  }

  public int port() {
    return server.getPort();
  }

  /** From now on answer as a follower pointing at {@code leader} ("" = unknown). */
  public void follow(String leader) {
    followerOf = leader;
  }

  /** Sets a node's desired allocations and pushes them to its open stream. */
  public void assign(String nodeId, List<Assignment> list) {
    assignments.put(nodeId, List.copyOf(list));
    StreamObserver<ManagerMessage> s = streams.get(nodeId);
    if (s != null) {
      assignmentsSent.incrementAndGet();
      send(s, assignmentsFor(nodeId));
    }
  }

  /** Breaks every open stream with UNAVAILABLE, as a crashing connection would. */
  public void breakStreams() {
    streams.forEach((id, s) -> {
      synchronized (s) {
        s.onError(Status.UNAVAILABLE.withDescription("scripted break").asRuntimeException());
      }
    });
    streams.clear();
  }

  /** Tells every open stream that this peer is no longer the leader. */
  public void sendNotLeader(String leader) {
    streams.forEach((id, s) -> send(s, ManagerMessage.newBuilder()
        .setNotLeader(NotLeader.newBuilder().setLeaderGrpcAddress(leader)).build()));
  }

  public int openStreams() {
    return streams.size();
  }

  /** The newest update received for an allocation, or null. */
  public AllocationStatusUpdate latest(String allocationId) {
    AllocationStatusUpdate last = null;
    for (AllocationStatusUpdate u : updates) {
      if (u.getAllocationId().equals(allocationId)) {
        last = u;
      }
    }
    return last;
  }

  private ManagerMessage assignmentsFor(String nodeId) {
    return ManagerMessage.newBuilder().setAssignments(Assignments.newBuilder()
        .addAllAllocations(assignments.getOrDefault(nodeId, List.of())).setIndex(index.incrementAndGet())).build();
  }

  private static void send(StreamObserver<ManagerMessage> s, ManagerMessage m) {
    synchronized (s) {
      try {
        s.onNext(m);
      } catch (RuntimeException ignored) {
        // stream already gone
      }
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Service extends DispatcherServiceGrpc.DispatcherServiceImplBase {
    @Override
    public void register(RegisterNodeRequest request, StreamObserver<RegisterNodeResponse> response) {
      registrations.add(request);
      String leader = followerOf;
      if (leader != null) {
        response.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.FAILED_PRECONDITION.value())
            .setMessage("not the leader")
            .addDetails(Any.pack(NotLeaderDetail.newBuilder().setLeaderGrpcAddress(leader).build()))
            .build()));
        return;
      }
      response.onNext(RegisterNodeResponse.newBuilder().setNodeId(request.getNode().getId())
          .setHeartbeatTtlMs(900).build());
      response.onCompleted();
    }

    @Override
    public StreamObserver<AgentMessage> session(StreamObserver<ManagerMessage> out) {
      return new StreamObserver<>() {
        String nodeId;

        @Override
        public void onNext(AgentMessage m) {
          switch (m.getKindCase()) {
            case OPEN -> {
              nodeId = m.getOpen().getNodeId();
              assignmentsSent.incrementAndGet(); // before the open shows, so a test that saw it sees this
              opens.add(nodeId);
              streams.put(nodeId, out);
              send(out, assignmentsFor(nodeId));
            }
            case HEARTBEAT -> {
              heartbeats.incrementAndGet();
              send(out, ManagerMessage.newBuilder().setHeartbeatAck(HeartbeatAck.newBuilder()
                  .setHeartbeatTtlMs(900)).build());
            }
            case UPDATES -> updates.addAll(m.getUpdates().getUpdatesList());
            case KIND_NOT_SET -> { }
          }
        }

        @Override
        public void onError(Throwable t) {
          if (nodeId != null) {
            streams.remove(nodeId, out);
          }
        }

        @Override
        public void onCompleted() {
          if (nodeId != null) {
            streams.remove(nodeId, out);
          }
          synchronized (out) {
            try {
              out.onCompleted();
            } catch (RuntimeException ignored) {
              // already closed
            }
          }
        }
      };
    }
  }
}
