package gantry.cli.command;

import gantry.cli.output.Table;
import gantry.v1.AclPolicy;
import gantry.v1.ApplyAclPolicyRequest;
import gantry.v1.ApplyAclPolicyResponse;
import gantry.v1.DeleteAclPolicyRequest;
import gantry.v1.ListAclPoliciesRequest;
import gantry.v1.ListAclPoliciesResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gantry acl policy apply NAME FILE | ls | delete NAME}. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Apply, list and delete ACL policies.",
    subcommands = {AclPolicyCommand.Apply.class, AclPolicyCommand.List.class, AclPolicyCommand.Delete.class})
public final class AclPolicyCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw UsageErrorHandler.missingSubcommand(spec);
  }

  /** Creates or replaces a policy from a YAML file; the server names the key of a bad rule (exit 2). */
  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = {"Create or replace a policy from a YAML file, e.g.:", "  jobs: {access: write, prefix: team-a-}",
          "  nodes: read", "  events: read"})
  static final class Apply implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "FILE", description = "The policy's rules (YAML).")
    Path file;

    @Option(names = "--description", defaultValue = "", description = "A line saying what the policy is for.")
    String description;

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      String rules;
      try {
        rules = Files.readString(file);
      } catch (NoSuchFileException e) {
        throw Failure.badInput("FILE: " + file + " does not exist");
      } catch (IOException e) {
        throw Failure.badInput("FILE: cannot read " + file + ": " + e.getMessage());
      }
      ApplyAclPolicyResponse response;
      try (var control = client.connect()) {
        var request = ApplyAclPolicyRequest.newBuilder().setName(name).setDescription(description).setRules(rules).build();
        response = control.call(stub -> stub.applyAclPolicy(request));
      }
      if (client.json()) {
        client.printJson(response);
      } else {
        client.out().printf("Policy \"%s\" applied%n", name);
        client.out().flush();
      }
      return 0;
    }
  }

  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the policies and what they grant.")
  static final class List implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      ListAclPoliciesResponse response;
      try (var control = client.connect()) {
        response = control.call(stub -> stub.listAclPolicies(ListAclPoliciesRequest.getDefaultInstance()));
      }
      if (client.json()) {
        client.printJson(response);
        return 0;
      }
      var table = new Table("NAME", "RULES", "DESCRIPTION");
      for (AclPolicy p : response.getPoliciesList()) {
        String rules = p.getRulesList().stream()
            .map(r -> r.getResource() + ":" + r.getAccess() + (r.getPrefix().isEmpty() ? "" : "(" + r.getPrefix() + "*)"))
            .collect(Collectors.joining(","));
        table.row(p.getName(), rules, p.getDescription().isEmpty() ? "-" : p.getDescription());
      }
      table.print(client.out());
      client.out().flush();
      return 0;
    }
  }

  /** Deletes a policy; tokens that hold it lose what it granted. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete a policy. Tokens holding it keep its name and lose what it granted."})
  static final class Delete implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      try (var control = client.connect()) {
        var response = control.call(stub -> stub.deleteAclPolicy(DeleteAclPolicyRequest.newBuilder().setName(name).build()));
        if (client.json()) {
          client.printJson(response);
        } else {
          client.out().printf("Policy \"%s\" deleted%n", name);
          client.out().flush();
        }
      }
      return 0;
    }
  }
}
