package gantry.cli.command;

import gantry.v1.DeregisterJobRequest;
import gantry.v1.DeregisterJobResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gantry job stop NAME [--purge]}. */
@Command(name = "stop", mixinStandardHelpOptions = true,
    description = "Stop a job: its allocations stop; the job is kept (status stopped) unless --purge.")
public final class JobStopCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "The job name.")
  String name;

  @Option(names = "--purge", description = "Also remove the job from the state.")
  boolean purge;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    DeregisterJobResponse response;
    try (var control = client.connect()) {
      var request = DeregisterJobRequest.newBuilder().setName(name).setPurge(purge).build();
      response = control.call(stub -> stub.deregisterJob(request));
    } catch (StatusRuntimeException e) {
      throw e.getStatus().getCode() == Status.Code.NOT_FOUND ? JobStatusCommand.notFound(name) : e;
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      String what = purge ? "purged" : response.getChanged() ? "stopped" : "already stopped";
      client.out().printf("Job \"%s\" %s%n", name, what);
      client.out().flush();
    }
    return 0;
  }
}
