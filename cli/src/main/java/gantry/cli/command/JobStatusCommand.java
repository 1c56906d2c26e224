package gantry.cli.command;

import gantry.cli.output.JobViews;
import gantry.v1.GetJobRequest;
import gantry.v1.GetJobResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code gantry job status NAME}. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a job and its groups.")
public final class JobStatusCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "The job name.")
  String name;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    GetJobResponse response;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.getJob(GetJobRequest.newBuilder().setName(name).build()));
    } catch (StatusRuntimeException e) {
      throw e.getStatus().getCode() == Status.Code.NOT_FOUND ? notFound(name) : e;
    }
    if (!response.hasJob()) throw notFound(name);
    if (client.json()) {
      client.printJson(response.getJob());
    } else {
      JobViews.printStatus(client.out(), response.getJob());
    }
    return 0;
  }

  // The same words whatever the server's wording, so scripts and users can rely on them.
  static Failure notFound(String name) {
    return Failure.failed("job \"" + name + "\" not found");
  }
}
