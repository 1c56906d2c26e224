package gantry.examples.echo;

import gantry.client.ControlClient;
import gantry.client.ManagerAddresses;
import gantry.examples.echo.v1.EchoGrpc;
import gantry.examples.echo.v1.SetLoadRequest;
import gantry.v1.GetServiceEndpointsRequest;
import gantry.v1.ServiceEndpoint;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tells every replica of an echo service to burn that much CPU (0 stops), one call to each
 * endpoint the managers list: what the README's autoscaling example uses to load its job.
 * {@code EchoLoad SERVICE MILLICORES}, managers from $GANTRY_ADDR. Exit 1 when a replica refused.
 */
public final class EchoLoad {
  private EchoLoad() {}

  /** Tells the replica behind endpoint {@code e} to burn {@code millicores} (0 stops), over a direct channel. */
  public static void set(ServiceEndpoint e, int millicores) {
    ManagedChannel ch = ManagedChannelBuilder.forAddress(e.getAddress(), e.getPort()).usePlaintext().build();
    try {
      EchoGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .setLoad(SetLoadRequest.newBuilder().setMillicores(millicores).build());
    } finally {
      ch.shutdownNow();
    }
  }

  public static void main(String[] args) {
    if (args.length != 2 || System.getenv(ManagerAddresses.ENV) == null) {
      System.err.println("usage: GANTRY_ADDR=HOST:PORT[,...] EchoLoad SERVICE MILLICORES");
      System.exit(2);
    }
    int millicores;
    try {
      millicores = Integer.parseInt(args[1]);
    } catch (NumberFormatException e) {
      System.err.println("MILLICORES: expected a number, got \"" + args[1] + "\"");
      System.exit(2);
      return;
    }
    List<String> managers = ManagerAddresses.parse(ManagerAddresses.ENV, System.getenv(ManagerAddresses.ENV));
    int failed = 0;
    try (ControlClient control = new ControlClient(managers, Duration.ofSeconds(10),
        gantry.client.ManagerCredentials.of(null, null, null, null, System.getenv()))) {
      List<ServiceEndpoint> endpoints = control.callLeader(s -> s.getServiceEndpoints(
          GetServiceEndpointsRequest.newBuilder().setName(args[0]).build())).getEndpointsList();
      if (endpoints.isEmpty()) {
        System.err.println("service " + args[0] + " has no endpoint yet: no replica runs and passes its check");
        System.exit(1);
      }
      for (ServiceEndpoint e : endpoints) {
        try {
          set(e, millicores);
          System.out.printf("%s on %s (%s:%d): %d millicores%n", e.getAllocationId().substring(0, 8), e.getNodeName(),
              e.getAddress(), e.getPort(), millicores);
        } catch (StatusRuntimeException x) {
          failed++;
          System.err.printf("%s: %s%n", e.getAllocationId().substring(0, 8), x.getStatus());
        }
      }
    } catch (StatusRuntimeException e) {
      System.err.println(e.getStatus().getDescription());
      System.exit(1);
    }
    System.exit(failed == 0 ? 0 : 1);
  }
}
