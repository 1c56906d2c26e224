package gantry.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The command tests' shared fixture: one fake ControlService for the class, and the CLI run against it. */
abstract class FakeServerTest {
  static FakeControlServer server;

  @BeforeAll
  static void startFakeServer() {
    server = new FakeControlServer();
  }

  @AfterAll
  static void stopFakeServer() {
    server.close();
  }

  /** {@code gantry ARGS --address <the fake server>}, in-process. */
  static Cli client(String... args) {
    return Cli.runAt(server.address(), args);
  }
}
