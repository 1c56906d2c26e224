package gantry.cli.command;

import gantry.cli.output.JobViews;
import gantry.v1.GetJobRequest;
import gantry.v1.GetJobResponse;
import gantry.v1.ListAllocationsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code gantry job status NAME}. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a job, its groups (desired, placed, running...) and its allocations.")
public final class JobStatusCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "The job name.")
  String name;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    try (var control = client.connect()) {
      GetJobResponse response;
      try {
        response = control.call(stub -> stub.getJob(GetJobRequest.newBuilder().setName(name).build()));
      } catch (StatusRuntimeException e) {
        throw e.getStatus().getCode() == Status.Code.NOT_FOUND ? notFound(name) : e;
      }
      if (!response.hasJob()) throw notFound(name);
      if (client.json()) {
        client.printJson(response);
        return 0;
      }
      // A second read, so the allocations may be a little newer than the summary; the table is
      // for people, who read them as one moment anyway.
      var allocations = control.call(stub -> stub.listAllocations(ListAllocationsRequest.newBuilder().setJob(name).build()));
      JobViews.printStatus(client.out(), response, allocations.getAllocationsList());
    }
    return 0;
  }

  // The same words whatever the server's wording, so scripts and users can rely on them.
  static Failure notFound(String name) {
    return Failure.failed("job \"" + name + "\" not found");
  }
}
