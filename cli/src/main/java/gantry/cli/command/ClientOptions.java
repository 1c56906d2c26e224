package gantry.cli.command;

import com.google.protobuf.MessageOrBuilder;
import gantry.client.ControlClient;
import gantry.cli.output.Json;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The flags every client verb shares: where the managers are, and whether to print JSON. */
public final class ClientOptions {
  @Option(names = "--address", paramLabel = "HOST:PORT[,HOST:PORT...]",
      defaultValue = "${env:GANTRY_ADDR:-127.0.0.1:4647}",
      description = "Managers to try in turn (default: $GANTRY_ADDR, else 127.0.0.1:4647; now ${DEFAULT-VALUE}).")
  String address;

  @Option(names = "--token", paramLabel = "SECRET", defaultValue = "${env:GANTRY_TOKEN:-}", showDefaultValue =
      picocli.CommandLine.Help.Visibility.NEVER, description = "ACL token secret sent with every call (default: $GANTRY_TOKEN).")
  String token;

  @Option(names = "--json", description = "Print the response as one JSON document.")
  boolean json;

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  /** @throws ParameterException (exit 2) on a malformed address */
  public ControlClient connect() {
    try {
      return new ControlClient(ControlClient.parseAddresses("--address", address), ControlClient.DEFAULT_DEADLINE)
          .withToken(token);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(mixee.commandLine(), e.getMessage());
    }
  }

  public boolean json() {
    return json;
  }

  public PrintWriter out() {
    return mixee.commandLine().getOut();
  }

  /** Where a command's one-line reasons and notes go, so that stdout keeps only its output. */
  public PrintWriter err() {
    return mixee.commandLine().getErr();
  }

  public void printJson(MessageOrBuilder message) {
    Json.print(out(), message);
  }
}
