package io.assay.framework.cli;

import io.assay.framework.engine.StepObserver;
import java.io.PrintWriter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on standard error: steps done / to do, rate and time left. */
final class ProgressObserver implements StepObserver {

    private final String task;
    private final PrintWriter err;
    private ProgressBar bar;

    ProgressObserver(String task, PrintWriter err) {
        this.task = task;
        this.err = err;
    }

    @Override
    public void started(int n) {
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(n).setStyle(ProgressBarStyle.ASCII)
                .setUnit(" steps", 1).showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(new java.io.PrintStream(
                        new java.io.OutputStream() {
                            @Override
                            public void write(int b) {
                                err.write(b);
                            }

                            @Override
                            public void flush() {
                                err.flush();
                            }
                        }, true)))
                .build();
    }

    @Override
    public void stepped(StepRecord step) {
        if (bar != null) {
            bar.step();
            if (bar.getCurrent() >= bar.getMax()) {
                bar.close();
                bar = null;
            }
        }
    }
}
