package io.assay.framework.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's arithmetic and both of its forms, on made-up numbers. */
class BenchReportTest {

    private static Bench.Report report(List<Sweeps.Part> sweeps) {
        Bench.Options o = new Bench.Options(Path.of("/models/mid"), 256, 256, 20, 7.5, "euler", 3, "a cat", 0,
                !sweeps.isEmpty());
        Bench.Side raw = new Bench.Side(20_000, 100, 900, 20, 1_800, 0, 100, 19_000, List.of(21_000.0, 20_000.0,
                19_500.0));
        Bench.Side assay = new Bench.Side(20_400, 110, 910, 20, 1_850, 50, 190, 19_500, List.of(20_400.0,
                20_900.0, 20_100.0));
        return new Bench.Report(o, "cpu", 2, "global", "1.29.0", raw, assay, Map.of("unet", 1500.0, "total",
                2000.0), 3000, 0.5, 9000, 1L << 30, 2L << 30, 3L << 30, 900L << 20, 2.5e-6, sweeps);
    }

    @Test
    void ratiosAreAssayOverRaw() {
        Bench.Report r = report(List.of());
        assertThat(r.ratio()).isCloseTo(1.02, within(1e-12));
        assertThat(r.unetCallRatio()).isCloseTo(910.0 / 900, within(1e-12));
        assertThat(r.cpuRatio()).isCloseTo(19_500.0 / 19_000, within(1e-12));
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(Bench.median(List.of(new double[] {3}, new double[] {1}, new double[] {2}), r -> r[0]))
                .isEqualTo(2);
        assertThat(Bench.median(List.of(new double[] {4}, new double[] {1}, new double[] {3}, new double[] {2}),
                r -> r[0])).isEqualTo(2.5);
    }

    @Test
    void jsonHasEveryFieldAndTheSweepsOnlyWhenRun() {
        Map<String, Object> j = Bench.json(report(List.of()));
        assertThat(j).containsKeys("model", "width", "height", "steps", "guidance", "scheduler", "runs", "provider",
                "threads", "thread_pool", "onnxruntime", "raw", "assay", "ratio", "unet_call_ratio", "cpu_ratio",
                "session_load_ms", "model_digest_ms", "jvm_start_to_first_unet_ms", "rss_bytes", "model_bytes",
                "max_abs_diff").doesNotContainKey("sweeps");
        @SuppressWarnings("unchecked")
        Map<String, Object> assay = (Map<String, Object>) j.get("assay");
        assertThat(assay).containsEntry("median_ms", 20_400.0).containsEntry("unet_calls", 20)
                .containsEntry("setup_ms", 50.0).containsEntry("cpu_ms", 19_500.0)
                .containsKeys("text_encoder_ms", "unet_call_ms", "vae_decode_ms", "rest_ms", "rounds_ms");

        Sweeps.Part one = new Sweeps.Part("single", 1, 20_000, 0, 1, 1, 1, 20, 19_000, 2L << 30,
                List.of(), -1);
        Sweeps.Part cfg = new Sweeps.Part("cfg-sweep", 4, 78_000, 0, 4, 4, 1, 80, -1, (long) (2.1 * (1L << 30)),
                List.of(), -1);
        Map<String, Object> withSweeps = Bench.json(report(List.of(one, cfg)));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> sw = (Map<String, Map<String, Object>>) withSweeps.get("sweeps");
        assertThat(sw).containsOnlyKeys("single", "cfg-sweep");
        assertThat(sw.get("single")).containsEntry("model_call_ms", 19_000.0);
        assertThat(sw.get("cfg-sweep")).doesNotContainKey("model_call_ms").containsEntry("trajectories", 4)
                .containsEntry("sessions_created", 0);
    }

    @Test
    void tableShowsTheRatiosAndTheSweepComparison() {
        Sweeps.Part one = new Sweeps.Part("single", 1, 20_000, 0, 1, 1, 1, 20, 19_000, 2L << 30,
                List.of(), -1);
        Sweeps.Part cfg = new Sweeps.Part("cfg-sweep", 4, 78_000, 0, 4, 4, 1, 80, -1, (long) (2.1 * (1L << 30)),
                List.of(), -1);
        Sweeps.Part vae = new Sweeps.Part("vae-sweep", 3, 23_000, 0, 1, 3, 1, 20, -1, 2L << 30,
                List.of("vae_decoder", "vae_decoders/2/vae_decoder", "vae_decoders/3/vae_decoder"), 3);
        String t = Bench.table(report(List.of(one, cfg, vae)));
        assertThat(t).contains("256×256, 20 steps, guidance 7.5, euler, 2 threads (global pool), cpu, 3 rounds");
        assertThat(t).containsPattern("one image\\s+20\\.00 s\\s+20\\.40 s\\s+1\\.020");
        assertThat(t).containsPattern("U-Net call \\(×20\\)\\s+900\\.0 ms\\s+910\\.0 ms\\s+1\\.011");
        assertThat(t).containsPattern("process CPU time\\s+19\\.00 s\\s+19\\.50 s\\s+1\\.026");
        assertThat(t).contains("max |Δ| = 2.50e-06");
        assertThat(t).contains("cfg-sweep: wall / (4 × one image's model-call time 19.00 s) = 1.026");
        assertThat(t).contains("vae-sweep: 1 denoising loop for 3 decodes (vae_decoder, vae_decoders/2/vae_decoder, "
                + "vae_decoders/3/vae_decoder), 3 distinct images");
    }
}
