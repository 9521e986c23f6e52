package io.stampede.chaos;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.tngtech.archunit.base.DescribedPredicate.and;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Imports the compiler allows but the module design forbids (the poms' bannedDependencies keep
 * whole modules off the classpath; this keeps parts of the allowed ones out of the main code):
 * another module's {@code internal} package, and any Stampede module chaos-api does not build on
 * (the proxy server is on the test classpath only, and stays out of the main code).
 */
class ModuleDirectionsTest {
    /** the module's main classes: the directory (or jar) ChaosApiMain was loaded from */
    private static final JavaClasses MAIN = new ClassFileImporter()
            .importLocations(List.of(Location.of(ChaosApiMain.class.getProtectionDomain().getCodeSource().getLocation())));

    @Test
    void noInternalPackageOfAnotherModule() {
        noClasses().that().resideInAPackage("io.stampede.chaos..")
                .should().dependOnClassesThat(and(resideInAPackage("io.stampede..internal.."),
                        resideOutsideOfPackage("io.stampede.chaos..")))
                .check(MAIN);
    }

    @Test
    void onlyLoadgenReportsSystemAndProxyApi() {
        noClasses().that().resideInAPackage("io.stampede.chaos..")
                .should().dependOnClassesThat(and(resideInAPackage("io.stampede.."),
                        resideOutsideOfPackages("io.stampede.chaos..", "io.stampede.loadgen..",
                                "io.stampede.reports..", "io.stampede.proxy.api..", "io.stampede.system..")))
                .check(MAIN);
    }
}
