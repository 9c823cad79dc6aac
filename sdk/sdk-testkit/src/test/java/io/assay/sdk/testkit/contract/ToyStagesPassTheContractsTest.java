package io.assay.sdk.testkit.contract;

import io.assay.sdk.NoSettings;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.TestSettings;
import io.assay.sdk.testkit.Tensors;
import org.junit.jupiter.api.Nested;

/** Every contract passes on a correct toy stage: the contracts do not fail stages that keep them. */
class ToyStagesPassTheContractsTest {

    @Nested
    class ToySchedulerKeepsTheSchedulerContract implements SchedulerContract {
        @Override
        public Scheduler create() {
            return new Toys.ToyScheduler();
        }

        @Override
        public boolean computesDenoised() {
            return true;
        }
    }

    @Nested
    class ToyDenoiserKeepsTheDenoiserContract implements DenoiserContract {
        @Override
        public Denoiser create() {
            return new Toys.ToyDenoiser();
        }

        @Override
        public long[] latentShape() {
            return new long[] {1, 4, 8, 8};
        }

        @Override
        public Tensor conditioning() {
            return Tensors.normal(3, 1, 6, 8);
        }
    }

    @Nested
    class ToyTextEncoderKeepsTheTextEncoderContract implements TextEncoderContract {
        @Override
        public TextEncoder create() {
            return new Toys.ToyTextEncoder();
        }
    }

    @Nested
    class ToyCfgKeepsTheGuidanceContract implements GuidanceContract {
        @Override
        public Guidance create() {
            return new Toys.ToyCfg(TestSettings.defaults(Toys.ToyCfgSettings.class));
        }

        @Override
        public boolean cfgLike() {
            return true;
        }

        @Override
        public Guidance createAtScale(double scale) {
            return new Toys.ToyCfg(TestSettings.bind(Toys.ToyCfgSettings.class, "scale = " + scale));
        }
    }

    @Nested
    class ToyNoiseKeepsTheNoiseSourceContract implements NoiseSourceContract {
        @Override
        public NoiseSource create() {
            return new Toys.ToyNoise();
        }
    }

    @Nested
    class ToyVaeKeepsTheAutoencoderContract implements AutoencoderContract {
        @Override
        public Autoencoder create() {
            return new Toys.ToyVae();
        }

        @Override
        public long[] imageShape() {
            return new long[] {1, 3, 16, 16};
        }
    }

    @Nested
    class ToyCaptionFilterKeepsTheScraperFilterContract implements ScraperFilterContract {
        @Override
        public ScraperFilter create() {
            return new Toys.ToyCaptionFilter();
        }
    }

    @Nested
    class ToyRepeatFilterKeepsTheScraperFilterContract implements ScraperFilterContract {
        @Override
        public ScraperFilter create() {
            return new Toys.ToyRepeatFilter();
        }

        @Override
        public boolean stateful() {
            return true;
        }

        @Override
        public boolean readsImages() {
            return false;
        }
    }

    @Nested
    class ToyCfgSettingsKeepTheSettingsContract implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return Toys.ToyCfgSettings.class;
        }
    }

    @Nested
    class NoSettingsKeepsTheSettingsContract implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return NoSettings.class;
        }
    }

    @Nested
    class ToySourceKeepsTheRecordSourceContract implements RecordSourceContract {
        @Override
        public io.assay.sdk.curation.RecordSource create() {
            return new CurationToys.ToySource();
        }

        @Override
        public int expectedRecords() {
            return 16;
        }

        @Override
        public io.assay.sdk.curation.RecordSource createDamaged() {
            return new CurationToys.ToySource(true);
        }
    }

    @Nested
    class ToyWriterKeepsTheDatasetWriterContract implements DatasetWriterContract {
        @Override
        public io.assay.sdk.curation.DatasetWriter create() {
            return new CurationToys.ToyWriter();
        }

        @Override
        public io.assay.sdk.curation.RecordSource readBack(java.nio.file.Path directory) {
            return CurationToys.reader(directory);
        }
    }

    @Nested
    class ToyMetricKeepsTheSimilarityMetricContract implements SimilarityMetricContract {
        @Override
        public io.assay.sdk.metrics.SimilarityMetric create() {
            return new CurationToys.ToyMetric();
        }
    }
}
