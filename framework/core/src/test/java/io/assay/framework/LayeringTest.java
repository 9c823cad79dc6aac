package io.assay.framework;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The framework's packages form layers and every arrow points down (docs/architecture.md draws them):
 * <pre>
 *   cli
 *   bench
 *   serve
 *   experiment
 *   runtime        curation
 *   assembly
 *   trace
 *   engine
 *   host   settings
 *   world
 *   io
 * </pre>
 * A package may use any package below it, never one above, and no two packages depend on each other.
 */
class LayeringTest {

    private static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.assay.framework");
    }

    @Test
    void arrowsPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("cli").definedBy("io.assay.framework.cli..")
                .layer("bench").definedBy("io.assay.framework.bench..")
                .layer("serve").definedBy("io.assay.framework.serve..")
                .layer("experiment").definedBy("io.assay.framework.experiment..")
                .layer("inspect").definedBy("io.assay.framework.inspect..")
                .layer("runtime").definedBy("io.assay.framework.runtime..")
                .layer("curation").definedBy("io.assay.framework.curation..")
                .layer("assembly").definedBy("io.assay.framework.assembly..")
                .layer("trace").definedBy("io.assay.framework.trace..")
                .layer("engine").definedBy("io.assay.framework.engine..")
                .layer("host").definedBy("io.assay.framework.host..")
                .layer("settings").definedBy("io.assay.framework.settings..")
                .layer("world").definedBy("io.assay.framework.world..")
                .layer("io").definedBy("io.assay.framework.io..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("bench").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("serve").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("experiment").mayOnlyBeAccessedByLayers("cli", "bench", "serve")
                .whereLayer("inspect").mayOnlyBeAccessedByLayers("cli", "bench", "serve", "experiment")
                .whereLayer("runtime").mayOnlyBeAccessedByLayers("cli", "bench", "serve", "experiment")
                .whereLayer("curation").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("assembly").mayOnlyBeAccessedByLayers("cli", "bench", "serve", "experiment", "runtime")
                .whereLayer("trace").mayOnlyBeAccessedByLayers("cli", "bench", "serve", "experiment", "runtime",
                        "assembly")
                .whereLayer("engine").mayOnlyBeAccessedByLayers("cli", "bench", "serve", "experiment", "inspect",
                        "runtime", "assembly", "trace")
                .whereLayer("host").mayOnlyBeAccessedByLayers("cli", "bench", "serve", "experiment", "runtime",
                        "curation", "assembly")
                .whereLayer("settings").mayOnlyBeAccessedByLayers("cli", "bench", "serve", "experiment", "runtime",
                        "curation", "assembly")
                .whereLayer("world").mayOnlyBeAccessedByLayers("cli", "bench", "serve", "experiment", "runtime",
                        "curation", "assembly", "trace")
                .check(classes);
    }

    @Test
    void noCycles() {
        slices().matching("io.assay.framework.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void ioAndWorldUseNothingAbove() {
        noClasses().that().resideInAPackage("io.assay.framework.io..").should().dependOnClassesThat()
                .resideInAnyPackage(ABOVE_IO).check(classes);
        noClasses().that().resideInAPackage("io.assay.framework.world..").should().dependOnClassesThat()
                .resideInAnyPackage(ABOVE_WORLD).check(classes);
    }

    private static final String[] ABOVE_WORLD = {"io.assay.framework.cli..", "io.assay.framework.bench..",
        "io.assay.framework.serve..",
        "io.assay.framework.experiment..", "io.assay.framework.inspect..", "io.assay.framework.runtime..", "io.assay.framework.curation..",
        "io.assay.framework.assembly..", "io.assay.framework.trace..", "io.assay.framework.engine..",
        "io.assay.framework.host..", "io.assay.framework.settings.."};
    private static final String[] ABOVE_IO = java.util.stream.Stream.concat(java.util.Arrays.stream(ABOVE_WORLD),
            java.util.stream.Stream.of("io.assay.framework.world..")).toArray(String[]::new);
}
