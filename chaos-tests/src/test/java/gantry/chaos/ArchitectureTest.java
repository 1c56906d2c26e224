package gantry.chaos;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/** The chaos tests and their harness (tests included) against the rest of Gantry. */
class ArchitectureTest {
  /**
   * Black box: the cluster is driven through its protos and the CLI run as a process, so a check
   * cannot pass by sharing code (and bugs) with the system it checks.
   */
  @Test
  void usesOnlyProtosAndItsOwnCode() {
    noClasses().that().resideInAPackage("gantry.chaos..")
        .should().dependOnClassesThat(resideInAPackage("gantry..")
            .and(not(resideInAnyPackage("gantry.v1..", "gantry.chaos..")))
            .as("Gantry classes other than the protos (gantry.v1) and its own"))
        .check(new ClassFileImporter().importPackages("gantry.chaos"));
  }
}
