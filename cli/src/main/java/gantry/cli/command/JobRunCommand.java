package gantry.cli.command;

import gantry.spec.JobSpecParser;
import gantry.v1.RegisterJobRequest;
import gantry.v1.RegisterJobResponse;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gantry job run FILE}: parse locally (bad files never reach the server), then register. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
        "Register a job from a spec file (YAML or JSON).",
        "Registering an unchanged spec is a no-op. Without --detach this will wait for the deployment"
            + " once deployments exist; for now it returns as soon as the job is registered."})
public final class JobRunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The job spec.")
  Path file;

  @Option(names = "--detach", description = "Return once the job is registered, without waiting for the deployment.")
  boolean detach;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    var spec = JobSpecParser.parseFile(file);
    RegisterJobResponse response;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.registerJob(RegisterJobRequest.newBuilder().setSpec(spec).build()));
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      String name = response.getJob().getName().isEmpty() ? spec.getName() : response.getJob().getName();
      client.out().printf("Job \"%s\" %s: version %s%n", name, response.getChanged() ? "registered" : "unchanged",
          Long.toUnsignedString(response.getJob().getVersion()));
      client.out().flush();
    }
    return 0;
  }
}
