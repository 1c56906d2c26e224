package gantry.cli.command;

import gantry.cli.output.Table;
import gantry.node.config.Durations;
import gantry.v1.AclTokenInfo;
import gantry.v1.CreateAclTokenRequest;
import gantry.v1.CreateAclTokenResponse;
import gantry.v1.ListAclTokensRequest;
import gantry.v1.ListAclTokensResponse;
import gantry.v1.RevokeAclTokenRequest;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gantry acl token create --name N --policy P[,P] [--ttl D] | ls | revoke ACCESSOR}. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Create, list and revoke ACL tokens.",
    subcommands = {AclTokenCommand.Create.class, AclTokenCommand.List.class, AclTokenCommand.Revoke.class})
public final class AclTokenCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw UsageErrorHandler.missingSubcommand(spec);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Create a token holding policies. Prints its accessor and secret; the secret is shown this once."})
  static final class Create implements Callable<Integer> {
    @Option(names = "--name", required = true, description = "What the token is for (shown by ls and in the audit log).")
    String name;

    @Option(names = "--policy", required = true, split = ",", paramLabel = "P[,P...]", description = "Policies the token holds.")
    java.util.List<String> policies;

    @Option(names = "--ttl", paramLabel = "DURATION", description = "Expire after this long (30m, 12h, 7d); default never.")
    String ttl;

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      long ttlMs = ttl == null ? 0 : Durations.parse("--ttl", ttl).toMillis();
      if (ttl != null && ttlMs <= 0) throw Failure.badInput("--ttl: must be more than 0, got \"" + ttl + "\"");
      CreateAclTokenResponse response;
      try (var control = client.connect()) {
        var request = CreateAclTokenRequest.newBuilder().setName(name).addAllPolicies(policies).setTtlMs(ttlMs).build();
        response = control.call(stub -> stub.createAclToken(request));
      }
      if (client.json()) {
        client.printJson(response);
      } else {
        client.out().printf("Accessor: %s%nSecret:   %s%n", response.getToken().getAccessorId(), response.getSecret());
        client.out().flush();
      }
      return 0;
    }
  }

  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the tokens (never their secrets).")
  static final class List implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      ListAclTokensResponse response;
      try (var control = client.connect()) {
        response = control.call(stub -> stub.listAclTokens(ListAclTokensRequest.getDefaultInstance()));
      }
      if (client.json()) {
        client.printJson(response);
        return 0;
      }
      var table = new Table("ACCESSOR", "NAME", "POLICIES", "EXPIRES");
      for (AclTokenInfo t : response.getTokensList()) {
        String policies = t.getManagement() ? "(management)" : String.join(",", t.getPoliciesList());
        String expires = t.getExpireTimeMs() == 0 ? "never" : Instant.ofEpochMilli(t.getExpireTimeMs()).toString();
        table.row(t.getAccessorId(), t.getName(), policies, expires);
      }
      table.print(client.out());
      client.out().flush();
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by its accessor id.")
  static final class Revoke implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ACCESSOR")
    String accessor;

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      try (var control = client.connect()) {
        var response = control.call(stub -> stub.revokeAclToken(RevokeAclTokenRequest.newBuilder().setAccessorId(accessor).build()));
        if (client.json()) {
          client.printJson(response);
        } else {
          client.out().printf("Token %s revoked%n", accessor);
          client.out().flush();
        }
      }
      return 0;
    }
  }
}
