package gantry.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module arrows of DESIGN.md, checked on the production classes of every module the cli
 * wires (proto, scheduler, node, agent and the cli itself are all on its test classpath).
 */
class ArchitectureTest {
  static JavaClasses gantry;

  @BeforeAll
  static void importClasses() {
    gantry = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("gantry");
  }

  /** The scheduler is a pure function of a snapshot: it must not reach into a peer or an agent. */
  @Test
  void schedulerKnowsNeitherNodeNorAgent() {
    noClasses().that().resideInAPackage("gantry.scheduler..")
        .should().dependOnClassesThat().resideInAnyPackage("gantry.node..", "gantry.agent..")
        .check(gantry);
  }

  /** An agent knows the managers only through the dispatcher protocol, so it ships without them. */
  @Test
  void agentDoesNotUseNode() {
    noClasses().that().resideInAPackage("gantry.agent..")
        .should().dependOnClassesThat().resideInAPackage("gantry.node..")
        .check(gantry);
  }

  /** A manager knows agents only through the dispatcher protocol, never through agent code. */
  @Test
  void nodeDoesNotUseAgent() {
    noClasses().that().resideInAPackage("gantry.node..")
        .should().dependOnClassesThat().resideInAPackage("gantry.agent..")
        .check(gantry);
  }

  /**
   * The agent speaks the Engine API itself (gantry.agent.driver.docker.EngineClient): docker-java
   * and its Jackson model cost an agent ~40 MB, so only tests (an independent view of the engine)
   * and the chaos suite use it.
   */
  @Test
  void nothingShippedUsesDockerJava() {
    noClasses().should().dependOnClassesThat().resideInAPackage("com.github.dockerjava..")
        .check(gantry);
  }

  /** The spec authority serves the CLI and the managers alike, so it depends on neither (nor on the scheduler or agent). */
  @Test
  void specDependsOnProtosOnly() {
    noClasses().that().resideInAPackage("gantry.spec..")
        .should().dependOnClassesThat().resideInAnyPackage("gantry.node..", "gantry.cli..", "gantry.agent..", "gantry.scheduler..")
        .check(gantry);
  }

  /**
   * The CLI's client verbs talk to managers over gRPC only: no manager internals (state, Raft,
   * leader, control) in its code. Only the server and dev commands wire a manager in-process.
   */
  @Test
  void cliClientsDoNotUseManagerInternals() {
    noClasses().that().resideInAPackage("gantry.cli..")
        .and().doNotHaveSimpleName("ServerCommand").and().doNotHaveSimpleName("DevCommand")
        .should().dependOnClassesThat().resideInAnyPackage("gantry.node.state..", "gantry.node.raft..",
            "gantry.node.leader..", "gantry.node.control..", "gantry.node.store..", "gantry.node.rpc..")
        .check(gantry);
  }

  /** Certificates are shared by the CLI, managers and agents, so the security module knows none of them. */
  @Test
  void securityDependsOnNoOtherGantryModule() {
    noClasses().that().resideInAPackage("gantry.security..")
        .should().dependOnClassesThat().resideInAnyPackage("gantry.v1..", "gantry.spec..", "gantry.scheduler..",
            "gantry.node..", "gantry.agent..", "gantry.cli..")
        .check(gantry);
  }

  /** X.509 building stays behind gantry.security: the rest of Gantry uses the JDK's certificate types. */
  @Test
  void onlyTheSecurityModuleUsesBouncyCastle() {
    noClasses().that().resideOutsideOfPackage("gantry.security..")
        .should().dependOnClassesThat().resideInAPackage("org.bouncycastle..")
        .check(gantry);
  }
}
