package io.assay.framework.spark;

import io.assay.framework.engines.ScaleEngine;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The Spark engine ({@code --engine spark}), found by the core through {@link java.util.ServiceLoader}. */
public final class SparkEngine implements ScaleEngine {

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public int curate(Job job, boolean fresh) throws Exception {
        return SparkCuration.run(job, fresh);
    }

    @Override
    public int compare(Job job) throws Exception {
        return SparkExperiments.run(job);
    }

    /** A session for one command: the master and settings from the command line; Spark's UI off unless asked. */
    static SparkSession session(Job job, String name) {
        SparkConf conf = new SparkConf().setAppName(name).setMaster(job.master());
        conf.set("spark.ui.enabled", "false");
        conf.set("spark.ui.showConsoleProgress", "false");
        job.conf().forEach(conf::set);
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
