package gantry.chaos.nemesis;

import java.util.ArrayList;
import java.util.List;

/** The faults a nemesis can inject. Each has a name used by --nemesis. */
public sealed interface Fault {
  String name();

  /** SIGKILL one manager (the leader, or a follower), start it again at heal. */
  record Kill(boolean leader) implements Fault {
    public String name() {
      return leader ? "kill-leader" : "kill";
    }
  }

  /** Freeze the leader's processes (cgroup freezer), thaw them at heal. */
  record Pause() implements Fault {
    public String name() {
      return "pause";
    }
  }

  /** Cut the leader off from every other manager, both ways. */
  record IsolateLeader() implements Fault {
    public String name() {
      return "partition";
    }
  }

  /** A random minority against the majority (1|2 of 3, 2|3 of 5). */
  record Halves() implements Fault {
    public String name() {
      return "partition-halves";
    }
  }

  /** Two halves that cannot reach each other, and one manager that reaches both (Jepsen's bridge). */
  record Bridge() implements Fault {
    public String name() {
      return "partition-bridge";
    }
  }

  /** The leader's packets to the followers are dropped; theirs to it still arrive. */
  record OneWay() implements Fault {
    public String name() {
      return "partition-oneway";
    }
  }

  /** SIGKILL every manager at once, start them all at heal. */
  record KillAll() implements Fault {
    public String name() {
      return "kill-all";
    }
  }

  /** SIGKILL one agent's container (the agent and its tasks), start it again at heal. */
  record KillAgent() implements Fault {
    public String name() {
      return "kill-agent";
    }
  }

  /** Cut one agent off from every manager, both ways; its tasks keep running until fenced. */
  record PartitionAgent() implements Fault {
    public String name() {
      return "partition-agent";
    }
  }

  /**
   * Cut one follower off (both ways, or stop it without a firewall), write until the others
   * snapshot and purge their logs past it, heal so that it catches up by a snapshot install,
   * then move the leadership onto it.
   */
  record SnapshotInstall() implements Fault {
    public String name() {
      return "snapshot-install";
    }
  }

  /**
   * Every manager loses power at once: its process dies and so does whatever its file system
   * layer (lossyfs) held that was not fsynced; all start again at heal.
   */
  record PowerLoss() implements Fault {
    public String name() {
      return "power-loss";
    }
  }

  List<Fault> ALL = List.of(new Kill(true), new IsolateLeader(), new PartitionAgent(), new SnapshotInstall(), new Pause(),
      new Kill(false), new Halves(), new KillAgent(), new PowerLoss(), new Bridge(), new OneWay(), new KillAll());

  /** Parses "all" or a comma list of names. */
  static List<Fault> parse(String spec) {
    if (spec.isBlank() || spec.equals("all")) return ALL;
    List<Fault> out = new ArrayList<>();
    for (String name : spec.split(",")) {
      String n = name.strip();
      out.add(ALL.stream().filter(f -> f.name().equals(n)).findFirst().orElseThrow(() -> new IllegalArgumentException(
          "unknown nemesis \"" + n + "\"; known: all, " + String.join(", ", ALL.stream().map(Fault::name).toList()))));
    }
    return out;
  }
}
