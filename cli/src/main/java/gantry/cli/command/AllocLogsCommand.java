package gantry.cli.command;

import gantry.v1.GetAllocLogsRequest;
import gantry.v1.GetAllocLogsResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gantry alloc logs ALLOC [TASK] [--tail N]}: the leader asks the allocation's agent over
 * its session and relays the last lines (docker logs; the exec driver's stdout.log then
 * stderr.log). Works for ended tasks too, until the agent removes the allocation.
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
    description = {"Print the last lines a task of an allocation wrote (stdout and stderr).",
        "ALLOC is an id or a unique prefix (the 8 characters alloc ls shows); TASK may be left out when the group has one task."})
public final class AllocLogsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ALLOC", description = "Allocation id or unique prefix.")
  String allocation;

  @Parameters(index = "1", paramLabel = "TASK", arity = "0..1", description = "Task name (default: the only task).")
  String task;

  @Option(names = {"-n", "--tail"}, paramLabel = "N", defaultValue = "100",
      description = "How many lines from the end (default ${DEFAULT-VALUE}, at most 10000).")
  int tail;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    if (allocation.isBlank()) throw Failure.badInput("ALLOC: must not be empty");
    if (tail < 1 || tail > 10_000) throw Failure.badInput("--tail: must be 1..10000, got " + tail);
    var request = GetAllocLogsRequest.newBuilder().setAllocation(allocation.strip()).setTailLines(tail);
    if (task != null) request.setTask(task.strip());
    GetAllocLogsResponse response;
    try (var control = client.connect()) {
      response = control.callLeader(stub -> stub.getAllocLogs(request.build()));
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      var out = client.out();
      out.print(response.getText());
      if (!response.getText().isEmpty() && !response.getText().endsWith("\n")) out.println();
      out.flush();
    }
    return 0;
  }
}
