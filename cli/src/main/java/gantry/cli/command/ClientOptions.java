package gantry.cli.command;

import com.google.protobuf.MessageOrBuilder;
import gantry.client.ControlClient;
import gantry.client.ManagerCredentials;
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


  @Option(names = "--json", description = "Print the response as one JSON document.")
  boolean json;

  @Option(names = "--tls-ca", paramLabel = "FILE", description = "The cluster CA for mutual TLS (default: $GANTRY_TLS_CA).")
  String tlsCa;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "Your certificate (gantry tls cert create --role client; default: $GANTRY_TLS_CERT).")
  String tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "The key of --tls-cert (default: $GANTRY_TLS_KEY).")
  String tlsKey;

  @Option(names = "--token", paramLabel = "SECRET", description = "Your ACL token's secret (default: $GANTRY_TOKEN).")
  String token;

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  /** @throws ParameterException (exit 2) on a malformed address or unusable TLS files */
  public ControlClient connect() {
    try {
      return new ControlClient(ControlClient.parseAddresses("--address", address), ControlClient.DEFAULT_DEADLINE,
          credentials());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(mixee.commandLine(), e.getMessage());
    }
  }

  /**
   * Mutual TLS and the token, from the flags or {@code GANTRY_TLS_*} and {@code GANTRY_TOKEN}.
   *
   * @throws IllegalArgumentException naming the flag or variable that is missing or unreadable
   */
  public ManagerCredentials credentials() {
    return ManagerCredentials.of(tlsCa, tlsCert, tlsKey, token, System.getenv());
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
