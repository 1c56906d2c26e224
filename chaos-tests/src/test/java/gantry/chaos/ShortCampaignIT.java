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
 * About a minute of chaos against three managers in containers: the leader SIGKILLed, the
 * leader cut off by a partition, the leader paused, with five clients reading and writing
 * throughout. Every checker must be valid. The run's report stays under target/chaos.
 */
class ShortCampaignIT {
  @Test
  void everyCheckerIsValidUnderKillPartitionAndPause() throws Exception {
    Path repo = Path.of(System.getProperty("gantry.repo", "..")).toAbsolutePath().normalize();
    Path out = Path.of(System.getProperty("chaos.out", "target/chaos"));
    var o = new Campaign.Options(Duration.ofSeconds(34), List.of(new Fault.Kill(true), new Fault.IsolateLeader(), new Fault.Pause()),
        3, 4, 5, repo, out, 42, Duration.ofSeconds(3), Duration.ofSeconds(6));
    Campaign.Result r = Campaign.run(o);
    String summary = r.verdicts().stream().map(v -> v.checker() + " valid=" + v.valid() + " ops=" + v.ops() + ": " + v.detail())
        .collect(Collectors.joining("\n"));
    System.out.println(summary + "\nreport: " + r.report().toAbsolutePath());
    assertTrue(Files.exists(r.report().resolve("history.jsonl")));
    assertTrue(Files.exists(r.report().resolve("index.html")));
    assertTrue(r.faults() >= 3, "expected three faults, got " + r.timeline());
    assertTrue(r.ops() > 100, "the workload made only " + r.ops() + " calls");
    for (Verdict v : r.verdicts()) assertTrue(v.valid(), "checker " + v.checker() + " failed; report " + r.report() + "\n" + summary);
  }
}
