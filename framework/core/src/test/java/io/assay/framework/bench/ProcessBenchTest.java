package io.assay.framework.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.assay.sdk.StageException;
import io.assay.sdk.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --process}: its report on made-up rounds, the shared noise, the child commands and the /proc reader. */
class ProcessBenchTest {

    private static ProcessBench.Options options(Path home) {
        return new ProcessBench.Options(Path.of("/models/mid"), 256, 192, 20, 7.5, "euler", 2, "lean", 3, 1,
                "a cat", 4, home, List.of("denoiser.max-batch=1"));
    }

    private static ProcessBench.Report report() {
        ProcessBench.Child raw = new ProcessBench.Child(List.of(10_000.0, 12_000.0, 11_000.0),
                List.of(900L << 20, 950L << 20, 920L << 20), Map.of("jvm_to_main_ms", 200.0,
                "rss_after_load_bytes", 800.0 * (1 << 20)));
        ProcessBench.Child assay = new ProcessBench.Child(List.of(11_500.0, 12_500.0, 13_000.0),
                List.of(1000L << 20, 1100L << 20, 1050L << 20), Map.of());
        return new ProcessBench.Report(options(Path.of("/dist")), raw, assay, 3e-6, true, List.of("java"),
                List.of("assay", "generate"));
    }

    @Test
    void mediansDifferenceRatioAndPeak() {
        ProcessBench.Report r = report();
        assertThat(r.raw().median()).isEqualTo(11_000.0);
        assertThat(r.assay().median()).isEqualTo(12_500.0);
        assertThat(r.difference()).isEqualTo(1_500.0);
        assertThat(r.ratio()).isCloseTo(12_500.0 / 11_000.0, within(1e-12));
        assertThat(r.raw().maxPeakRss()).isEqualTo(950L << 20);
        assertThat(new ProcessBench.Child(List.of(1.0, 4.0, 2.0, 3.0), List.of(), Map.of()).median())
                .isEqualTo(2.5);
        assertThat(new ProcessBench.Child(List.of(), List.of(), Map.of()).maxPeakRss()).isEqualTo(-1);
    }

    @Test
    void jsonSplitsTheRawChildsTimesFromItsBytes() {
        Map<String, Object> j = ProcessBench.json(report());
        assertThat(j.keySet()).containsExactly("mode", "model", "width", "height", "steps", "guidance", "scheduler",
                "threads", "memory", "runs", "warmup", "cds_archive", "raw", "assay", "difference_ms", "ratio",
                "max_abs_diff", "commands");
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = (Map<String, Object>) j.get("raw");
        assertThat(raw).containsEntry("median_ms", 11_000.0).containsEntry("peak_rss_bytes", 950L << 20)
                .containsEntry("inside_ms", Map.of("jvm_to_main_ms", 200.0))
                .containsEntry("inside_bytes", Map.of("rss_after_load_bytes", 800L << 20));
        @SuppressWarnings("unchecked")
        Map<String, Object> assay = (Map<String, Object>) j.get("assay");
        assertThat(assay).doesNotContainKeys("inside_ms", "inside_bytes");
        assertThat(j).containsEntry("difference_ms", 1_500.0).containsEntry("memory", "lean");
    }

    @Test
    void tableShowsMediansDifferenceAndPeaks() {
        String t = ProcessBench.table(report());
        assertThat(t).contains("256×192, 20 steps, guidance 7.5, euler, 2 threads, onnx.memory lean, 3 rounds "
                + "after 1 warm-up").contains("CDS archive: yes");
        assertThat(t).containsPattern("process wall\\s+11000 ms\\s+12500 ms\\s+1500 ms");
        assertThat(t).containsPattern("peak RSS \\(VmHWM\\)\\s+996\\.1 MB\\s+1153\\.4 MB");
        assertThat(t).contains("assay / raw = 1.136").contains("rss_after_load 838.9 MB");
        assertThat(t).contains("max |Δ| = 3.00e-06");
    }

    @Test
    void noiseIsUnitNormalAndFollowsTheSeed() {
        Tensor a = ProcessBench.noise(4, 64, 48);
        assertThat(a.shape()).containsExactly(1, 4, 6, 8);
        assertThat(ProcessBench.noise(4, 64, 48).data()).isEqualTo(a.data());
        assertThat(ProcessBench.noise(5, 64, 48).data()).isNotEqualTo(a.data());
        Tensor big = ProcessBench.noise(1, 512, 512);
        assertThat(big.mean()).isCloseTo(0, within(0.03));
        assertThat(big.std()).isCloseTo(1, within(0.03));
    }

    @Test
    void childCommandsCarryTheSameSettings(@TempDir Path home) {
        ProcessBench.Options o = options(home);
        List<String> raw = ProcessBench.rawCommand(o, Path.of("/t/noise.npy"), Path.of("/t/raw.npy"));
        assertThat(raw).contains(RawMain.class.getName(), home.resolve("lib") + "/*");
        assertThat(String.join(" ", raw)).contains("--width 256 --height 192 --steps 20 --guidance 7.5 "
                + "--scheduler euler --threads 2 --memory lean").contains("--noise /t/noise.npy");
        List<String> assay = ProcessBench.assayCommand(o, Path.of("/t/noise.npy"), Path.of("/t/out"),
                Path.of("/t/lat"));
        assertThat(assay.subList(0, 3)).containsExactly(home.resolve("bin").resolve("assay").toString(),
                "generate", "a cat");
        assertThat(String.join(" ", assay)).contains("--init-latents /t/noise.npy --width 256 --height 192 "
                + "--steps 20 --guidance 7.5 --scheduler euler").contains("--set onnx.memory=lean")
                .contains("--set onnx.threads=2").contains("--set denoiser.max-batch=1");
    }

    @Test
    void homeMustHoldTheLauncher(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> ProcessBench.home(dir)).isInstanceOf(StageException.class)
                .hasMessageContaining("'" + dir + "' has no bin/assay");
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("bin").resolve("assay"), "#!/bin/sh\n");
        assertThat(ProcessBench.home(dir)).isEqualTo(dir.toAbsolutePath().normalize());
    }

    @Test
    void vmHwmIsReadFromAStatusFile(@TempDir Path dir) throws IOException {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nVmPeak:\t 9000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t 100 kB\n");
        assertThat(ProcessBench.vmHwm(status)).isEqualTo(123_456L * 1024);
        assertThat(ProcessBench.vmHwm(dir.resolve("gone"))).isEqualTo(-1);
        assertThat(ProcessBench.vmHwm(Path.of("/proc/self/status"))).isPositive();
    }

    @Test
    void rawMainConfigEntries() {
        assertThat(RawMain.configEntries("")).isEmpty();
        assertThat(RawMain.configEntries("session.disable_prepacking=1, a=b")).containsExactly(
                Map.entry("session.disable_prepacking", "1"), Map.entry("a", "b"));
        assertThatThrownBy(() -> RawMain.configEntries("novalue")).hasMessageContaining("'novalue'");
    }
}
