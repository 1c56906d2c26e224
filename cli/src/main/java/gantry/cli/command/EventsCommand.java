package gantry.cli.command;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gantry events [--topic T ...] [--key K] [--index N]}: follows the changes to the cluster's
 * state, one JSON line per event, until interrupted ({@link EventFollow}).
 */
@Command(name = "events", mixinStandardHelpOptions = true,
    description = {"Follow the changes to the cluster's state: one JSON line per event (index, topic, type, key and the",
        "object), until interrupted. A manager that fails is replaced by the next listed one, from the last index seen."})
public final class EventsCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Option(names = "--topic", paramLabel = "TOPIC",
      description = "Only this topic: job, allocation, node, evaluation, deployment, scaling or service; repeat for several (default: all).")
  List<String> topics = new ArrayList<>();

  @Option(names = "--key", paramLabel = "KEY", defaultValue = "",
      description = "Only events with this key: a job name, allocation id, node id, evaluation id, deployment id, JOB/GROUP for scaling, or a service name.")
  String key;

  @Option(names = "--index", paramLabel = "N", defaultValue = "0",
      description = "Start after Raft index N with every kept event since (default 0: from the next change on).")
  long index;

  @Override
  public Integer call() {
    if (index < 0) throw Failure.badInput("--index: must be 0 or more, got " + index);
    try (var control = client.connect()) {
      new EventFollow(control, client.out(), client.err()).follow(topics, key, index);
    }
    return 0;
  }
}
