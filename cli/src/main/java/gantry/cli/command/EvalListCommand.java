package gantry.cli.command;

import gantry.cli.output.EvalViews;
import gantry.v1.EvalStatus;
import gantry.v1.ListEvaluationsRequest;
import gantry.v1.ListEvaluationsResponse;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gantry eval ls [--job NAME] [--status S]}: newest first; both filters are applied by the
 * server. A blocked evaluation's placement failures are what {@code job status} shows per group.
 */
@Command(name = "ls", mixinStandardHelpOptions = true,
    description = {"List evaluations, newest first: job, what triggered it, status, the job version, and why a"
        + " blocked one could not place everything."})
public final class EvalListCommand implements Callable<Integer> {
  @Option(names = "--job", paramLabel = "NAME", description = "Only this job's evaluations.")
  String job;

  @Option(names = "--status", paramLabel = "STATUS", description = "Only those in this status: pending, complete, blocked, failed, canceled.")
  String status;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    var request = ListEvaluationsRequest.newBuilder();
    if (job != null) request.setJob(job);
    if (status != null) request.setStatus(status(status));
    ListEvaluationsResponse response;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.listEvaluations(request.build()));
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      EvalViews.printList(client.out(), response.getEvaluationsList());
    }
    return 0;
  }

  /** @throws Failure (exit 2) naming {@code --status} and the accepted words */
  static EvalStatus status(String word) {
    String upper = word.strip().toUpperCase(Locale.ROOT);
    for (EvalStatus s : EvalStatus.values()) {
      if (s == EvalStatus.EVAL_STATUS_UNSPECIFIED || s == EvalStatus.UNRECOGNIZED) continue;
      if (s.name().equals("EVAL_STATUS_" + upper)) return s;
    }
    throw Failure.badInput("--status: expected pending, complete, blocked, failed or canceled, got \"" + word + "\"");
  }
}
