package gantry.cli.command;

import gantry.v1.ScaleJobRequest;
import gantry.v1.ScaleJobResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code gantry job scale NAME GROUP COUNT}. */
@Command(name = "scale", mixinStandardHelpOptions = true,
    description = {"Set a group's count: a new job version; running allocations stay where they run (updated in place),",
        "new ones are added or the highest indexes stopped."})
public final class JobScaleCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "The job name.")
  String name;

  @Parameters(index = "1", paramLabel = "GROUP", description = "The group to scale.")
  String group;

  @Parameters(index = "2", paramLabel = "COUNT", description = "The new count.")
  int count;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    ScaleJobResponse response;
    try (var control = client.connect()) {
      var request = ScaleJobRequest.newBuilder().setName(name).setGroup(group).setCount(count).build();
      response = control.call(stub -> stub.scaleJob(request));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND && !String.valueOf(e.getStatus().getDescription()).startsWith("group:")) {
        throw JobStatusCommand.notFound(name);
      }
      throw e;
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      client.out().printf("Job \"%s\" group \"%s\" %s: version %s%n", name, group,
          response.getChanged() ? "scaled to " + count : "already at " + count,
          Long.toUnsignedString(response.getJob().getVersion()));
      client.out().flush();
    }
    return 0;
  }
}
