package gantry.cli.command;

import gantry.cli.output.JobViews;
import gantry.v1.ListJobVersionsRequest;
import gantry.v1.ListJobVersionsResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code gantry job history NAME}: the registered versions and what each changed in the spec. */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = "List a job's versions, oldest first: whether each deployed well (stable), when it was submitted,"
        + " and which keys of the spec each changed against the version before.")
public final class JobHistoryCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "The job name.")
  String name;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    ListJobVersionsResponse response;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.listJobVersions(ListJobVersionsRequest.newBuilder().setJob(name).build()));
    } catch (StatusRuntimeException e) {
      throw e.getStatus().getCode() == Status.Code.NOT_FOUND ? JobStatusCommand.notFound(name) : e;
    }
    if (response.getVersionsCount() == 0) throw JobStatusCommand.notFound(name);
    if (client.json()) {
      client.printJson(response);
    } else {
      JobViews.printHistory(client.out(), response.getVersionsList());
    }
    return 0;
  }
}
