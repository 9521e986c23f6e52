package io.stampede.reports;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.tngtech.archunit.base.DescribedPredicate.and;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * What the compiler cannot see: reports depends on nothing of Stampede (its pom already has no
 * Stampede dependency; this also holds if one is added), and its packages form no circle (the root
 * package's records and a codec in a subpackage once imported each other).
 */
class ModuleDirectionsTest {
    /** the module's main classes: the directory (or jar) RunWriter was loaded from */
    private static final JavaClasses MAIN = new ClassFileImporter()
            .importLocations(List.of(Location.of(RunWriter.class.getProtectionDomain().getCodeSource().getLocation())));

    @Test
    void reportsUsesNothingElseOfStampede() {
        noClasses().that().resideInAPackage("io.stampede.reports..")
                .should().dependOnClassesThat(and(resideInAPackage("io.stampede.."),
                        resideOutsideOfPackage("io.stampede.reports..")))
                .check(MAIN);
    }

    @Test
    void packagesOfReportsFormNoCircle() {
        slices().matching("io.stampede.(**)").should().beFreeOfCycles().check(MAIN);
    }
}
