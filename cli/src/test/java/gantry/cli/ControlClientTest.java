package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.cli.client.ControlClient;
import gantry.cli.client.NoManagerReachableException;
import gantry.v1.ListJobsRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ControlClientTest {
  static FakeControlServer server;

  @BeforeAll
  static void start() {
    server = new FakeControlServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void triesTheNextManagerWhenTheFirstRefusesConnections() {
    try (var client = new ControlClient(List.of(FakeControlServer.deadAddress(), server.address()), Duration.ofSeconds(5))) {
      var response = client.call(stub -> stub.listJobs(ListJobsRequest.getDefaultInstance()));
      assertEquals(1, response.getJobsCount());
      assertEquals("web", response.getJobs(0).getName());
    }
  }

  @Test
  void failsNamingTheAddressesWhenNoManagerAnswers() {
    String a = FakeControlServer.deadAddress();
    String b = FakeControlServer.deadAddress();
    try (var client = new ControlClient(List.of(a, b), Duration.ofSeconds(5))) {
      var e = assertThrows(NoManagerReachableException.class, () -> client.call(stub -> stub.listJobs(ListJobsRequest.getDefaultInstance())));
      assertTrue(e.getMessage().startsWith("no manager reachable at " + a + "," + b), e.getMessage());
    }
  }

  @Test
  void commandSucceedsThroughFailoverAndExitsOneWithOnlyDeadAddresses() {
    var ok = Cli.run("job", "ls", "--address", FakeControlServer.deadAddress() + "," + server.address());
    assertEquals(0, ok.exitCode(), ok.err());
    assertTrue(ok.out().startsWith("NAME"), ok.out());
    assertTrue(ok.out().contains("web"), ok.out());

    var dead = Cli.run("job", "ls", "--address", FakeControlServer.deadAddress() + "," + FakeControlServer.deadAddress());
    assertEquals(1, dead.exitCode());
    assertTrue(dead.err().startsWith("no manager reachable at "), dead.err());
    assertEquals(1, dead.err().strip().lines().count(), dead.err());
  }
}
