package gantry.examples.echo;

import gantry.examples.echo.v1.EchoGrpc;
import gantry.examples.echo.v1.EchoReply;
import gantry.examples.echo.v1.EchoRequest;
import gantry.examples.echo.v1.LoadReply;
import gantry.examples.echo.v1.LoadRequest;
import gantry.examples.echo.v1.SetLoadReply;
import gantry.examples.echo.v1.SetLoadRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** The Echo service: replies name the allocation and node; SetLoad steers the CPU burner. */
final class EchoService extends EchoGrpc.EchoImplBase {
  private final Supplier<String> allocation;
  private final String node;
  private final CpuBurner burner;

  /** {@code allocation}: a supplier, as its fallback (host:port) is known only once the server is bound. */
  EchoService(Supplier<String> allocation, String node, CpuBurner burner) {
    this.allocation = allocation;
    this.node = node;
    this.burner = burner;
  }

  @Override
  public void echo(EchoRequest request, StreamObserver<EchoReply> out) {
    out.onNext(EchoReply.newBuilder().setMessage(request.getMessage()).setAllocation(allocation.get()).setNode(node)
        .setPid(ProcessHandle.current().pid()).build());
    out.onCompleted();
  }

  @Override
  public void setLoad(SetLoadRequest request, StreamObserver<SetLoadReply> out) {
    try {
      burner.set(request.getMillicores());
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    out.onNext(SetLoadReply.getDefaultInstance());
    out.onCompleted();
  }

  @Override
  public void load(LoadRequest request, StreamObserver<LoadReply> out) {
    out.onNext(LoadReply.newBuilder().setMillicores(burner.millicores()).build());
    out.onCompleted();
  }
}
