package io.assay.framework.experiment;

import java.io.IOException;
import java.nio.file.Path;

/** The report of a finished run, for engines that run the cells elsewhere (the Spark engine) and gather the files. */
public final class ExperimentReports {

    private ExperimentReports() {
    }

    /**
     * Builds {@code results.json}, {@code results.csv}, the contact sheets and {@code index.html} from the cells'
     * files in {@code dir}, as the local runner does at its end.
     */
    public static void write(ExperimentPlan plan, Path dir) throws IOException {
        ExperimentReport.write(plan, dir);
    }
}
