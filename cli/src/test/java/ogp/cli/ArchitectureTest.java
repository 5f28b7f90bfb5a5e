package ogp.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The layering of {@code docs/architecture.md}, checked on the main classes of every module: no
 * package cycle anywhere, modules point one way (cluster only from cli, jetcd only in cluster), and
 * inside the reconciler the model never reaches up to the loop, its observers or the HTTP side. A
 * change that breaks one fails here with the offending dependency named.
 */
class ArchitectureTest {
  private static final JavaClasses OGP =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(
              location -> !location.contains("-tests.jar")) // other modules' test jars
          .withImportOption(
              location -> !location.contains("/ogp/protocol/v1/")) // generated protobuf code
          .importPackages("ogp");

  @Test
  void noPackageCycleInsideAnyModule() {
    slices().matching("ogp.(*).(*)..").should().beFreeOfCycles().check(OGP);
  }

  @Test
  void modulesPointOneWay() {
    slices().matching("ogp.(*)..").should().beFreeOfCycles().check(OGP);
    check(
        noClasses()
            .that()
            .resideInAnyPackage("ogp.protocol..", "ogp.agent..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("ogp.reconciler..", "ogp.portal..", "ogp.webhook..", "ogp.cli.."));
    check(
        noClasses()
            .that()
            .resideInAPackage("ogp.reconciler..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("ogp.agent..", "ogp.portal..", "ogp.webhook..", "ogp.cli.."));
    check(
        noClasses()
            .that()
            .resideInAnyPackage("ogp.portal..", "ogp.webhook..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("ogp.agent..", "ogp.cli.."));
    // cluster sits between cli and reconciler: only cli uses it, it uses nothing above reconciler.
    check(
        noClasses()
            .that()
            .resideInAnyPackage(
                "ogp.protocol..",
                "ogp.agent..",
                "ogp.reconciler..",
                "ogp.portal..",
                "ogp.webhook..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("ogp.cluster.."));
    check(
        noClasses()
            .that()
            .resideInAPackage("ogp.cluster..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("ogp.agent..", "ogp.portal..", "ogp.webhook..", "ogp.cli.."));
  }

  @Test
  void onlyTheClusterModuleSeesJetcdGrpcAndVertx() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackage("ogp.cluster..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.etcd..", "io.grpc..", "io.vertx.."));
  }

  @Test
  void theModelNeverReachesUpToTheLoopItsObserversOrTheHttpSide() {
    check(
        noClasses()
            .that()
            .resideInAnyPackage(
                "ogp.reconciler.desired..",
                "ogp.reconciler.plan..",
                "ogp.reconciler.source..",
                "ogp.reconciler.auth..",
                "ogp.reconciler.pki..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "ogp.reconciler.control..",
                "ogp.reconciler.rollout..",
                "ogp.reconciler.changes..",
                "ogp.reconciler.events..",
                "ogp.reconciler.watch..",
                "ogp.reconciler.metrics..",
                "ogp.reconciler.autorollback..",
                "ogp.reconciler.api..",
                "ogp.reconciler.agents.."));
  }

  @Test
  void theLoopKnowsNoneOfItsObserversNorTheHttpSide() {
    check(
        noClasses()
            .that()
            .resideInAnyPackage(
                "ogp.reconciler.control..",
                "ogp.reconciler.rollout..",
                "ogp.reconciler.changes..",
                "ogp.reconciler.agents..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "ogp.reconciler.events..",
                "ogp.reconciler.watch..",
                "ogp.reconciler.metrics..",
                "ogp.reconciler.autorollback..",
                "ogp.reconciler.api.."));
  }

  private static void check(ArchRule rule) {
    rule.check(OGP);
  }
}
