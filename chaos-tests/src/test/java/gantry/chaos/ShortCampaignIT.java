package gantry.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.chaos.checker.Verdict;
import gantry.chaos.nemesis.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * About a minute of chaos against three managers and two agents in containers: the leader
 * SIGKILLed, an agent cut off from the managers, the leader cut off by a partition, an agent
 * SIGKILLed, the leader paused, with four clients reading and writing throughout and the
 * fleet job running on the agents. Every checker must be valid, the allocation checker
 * included: it is mandatory (it reads task processes from the host's /proc, so the run needs
 * root, as CI has; without it the campaign fails rather than skip the check), and so is the
 * nemesis verdict (every fault injected, every partition proven). The run's report stays
 * under target/chaos.
 *
 * <p>The managers snapshot every 200 entries, and one fault cuts a follower off until the
 * others purged their logs past it, then moves the leadership onto it once it caught up by a
 * snapshot install: the two defects of findings/2026-11-30-snapshot-install-loss (stale
 * leader duties, and writes lost when a snapshot arrived while one was being loaded) fail
 * this run.
 */
class ShortCampaignIT {
  @Test
  void everyCheckerIsValidUnderKillPartitionAndPause() throws Exception {
    Path repo = Path.of(System.getProperty("gantry.repo", "..")).toAbsolutePath().normalize();
    Path out = Path.of(System.getProperty("chaos.out", "target/chaos"));
    List<Fault> faults = List.of(new Fault.Kill(true), new Fault.SnapshotInstall(), new Fault.PartitionAgent(),
        new Fault.IsolateLeader(), new Fault.KillAgent(), new Fault.Pause());
    // With mutual TLS on every port, as in production (the quickstart's --secure set-up).
    var o = new Campaign.Options(Duration.ofSeconds(90), faults, 3, 4, 5, repo, out, 42, Duration.ofSeconds(3), Duration.ofSeconds(6), 2,
        200, true);
    Campaign.Result r = Campaign.run(o);
    String summary = r.verdicts().stream().map(v -> v.checker() + " valid=" + v.valid() + " ops=" + v.ops() + ": " + v.detail())
        .collect(Collectors.joining("\n"));
    System.out.println(summary + "\nreport: " + r.report().toAbsolutePath());
    assertTrue(Files.exists(r.report().resolve("history.jsonl")));
    assertTrue(Files.exists(r.report().resolve("index.html")));
    assertTrue(r.faults() >= 6, "expected six faults, got " + r.timeline());
    assertTrue(r.verdicts().stream().anyMatch(v -> v.checker().equals("allocations")), "no allocation verdict:\n" + summary);
    assertTrue(r.verdicts().stream().anyMatch(v -> v.checker().equals("nemesis")), "no nemesis verdict:\n" + summary);
    assertTrue(r.ops() > 100, "the workload made only " + r.ops() + " calls");
    for (Verdict v : r.verdicts()) assertTrue(v.valid(), "checker " + v.checker() + " failed; report " + r.report() + "\n" + summary);
  }
}
