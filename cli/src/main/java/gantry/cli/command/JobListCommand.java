package gantry.cli.command;

import gantry.cli.output.JobViews;
import gantry.v1.ListJobsRequest;
import gantry.v1.ListJobsResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gantry job ls}. */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List the registered jobs.")
public final class JobListCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    ListJobsResponse response;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.listJobs(ListJobsRequest.getDefaultInstance()));
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      JobViews.printList(client.out(), response.getJobsList());
    }
    return 0;
  }
}
