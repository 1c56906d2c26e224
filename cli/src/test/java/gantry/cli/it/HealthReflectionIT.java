package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.ControlServiceGrpc;
import gantry.v1.DispatcherServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What grpcurl and a load balancer see on a manager's gRPC port, with no Gantry protos: server
 * reflection lists the services, and {@code grpc.health.v1.Health} says SERVING for reads and
 * writes wherever a leader is known, and for agents' sessions on the leader only, also after the
 * leader is killed.
 */
class HealthReflectionIT {
  private static final String OVERALL = "";
  private static final String CONTROL = ControlServiceGrpc.SERVICE_NAME;
  private static final String DISPATCHER = DispatcherServiceGrpc.SERVICE_NAME;

  @TempDir Path dir;

  @Test
  void everyManagerAnswersReflectionAndHealthAndTheDispatcherServesOnTheLeaderOnly() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir, 3, Map.of())) {
      cluster.startAll();
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      List<String> all = List.of("m1", "m2", "m3");

      for (String id : all) {
        Set<String> services = reflect(cluster.channel(id), ServerReflectionRequest.newBuilder().setListServices("*"))
            .getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).collect(Collectors.toSet());
        assertTrue(services.containsAll(Set.of(CONTROL, DISPATCHER, "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection")), id + " lists " + services);
      }
      // What `grpcurl describe gantry.v1.ControlService` needs: the descriptors, from the shaded jar.
      ServerReflectionResponse file = reflect(cluster.channel(leader),
          ServerReflectionRequest.newBuilder().setFileContainingSymbol(CONTROL));
      assertTrue(file.getFileDescriptorResponse().getFileDescriptorProtoCount() > 0, file.toString());

      PeerProcesses.await("\"\" and ControlService SERVING on all three", Duration.ofSeconds(10),
          () -> all.stream().allMatch(id -> status(cluster, id, OVERALL) == ServingStatus.SERVING
              && status(cluster, id, CONTROL) == ServingStatus.SERVING));
      awaitDispatcherOnlyOn(cluster, leader, all);

      cluster.kill(leader);
      List<String> survivors = all.stream().filter(id -> !id.equals(leader)).toList();
      String next = cluster.awaitLeader(Duration.ofSeconds(60));
      assertTrue(survivors.contains(next), next);
      awaitDispatcherOnlyOn(cluster, next, survivors);
      // The statuses are re-decided every 500 ms, so a follower may still be catching up.
      PeerProcesses.await("\"\" SERVING on " + survivors, Duration.ofSeconds(10),
          () -> survivors.stream().allMatch(id -> status(cluster, id, OVERALL) == ServingStatus.SERVING));
    }
  }

  /** SERVING on {@code leader}, NOT_SERVING on the others of {@code peers}. */
  private static void awaitDispatcherOnlyOn(PeerProcesses cluster, String leader, List<String> peers) {
    PeerProcesses.await("DispatcherService SERVING on " + leader + " only, of " + peers, Duration.ofSeconds(10),
        () -> peers.stream().allMatch(id -> status(cluster, id, DISPATCHER)
            == (id.equals(leader) ? ServingStatus.SERVING : ServingStatus.NOT_SERVING)));
  }

  private static ServingStatus status(PeerProcesses cluster, String id, String service) {
    return HealthGrpc.newBlockingStub(cluster.channel(id)).withDeadlineAfter(2, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  /** One question on a reflection stream, as grpcurl asks it ({@code list}: list_services). */
  private static ServerReflectionResponse reflect(ManagedChannel channel, ServerReflectionRequest.Builder request)
      throws Exception {
    CompletableFuture<ServerReflectionResponse> reply = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse r) {
            reply.complete(r);
          }

          @Override
          public void onError(Throwable t) {
            reply.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            reply.completeExceptionally(new IllegalStateException("stream ended without an answer"));
          }
        });
    requests.onNext(request.build());
    try {
      ServerReflectionResponse r = reply.get(10, TimeUnit.SECONDS);
      assertTrue(!r.hasErrorResponse(), r.toString());
      return r;
    } finally {
      requests.onCompleted();
    }
  }
}
