package io.assay.plugins.curationio;

import io.assay.sdk.curation.DatasetWriter;
import io.assay.sdk.curation.RecordSource;
import io.assay.sdk.testkit.TestSettings;
import io.assay.sdk.testkit.contract.DatasetWriterContract;
import io.assay.sdk.testkit.contract.PackagingContract;
import io.assay.sdk.testkit.contract.RecordSourceContract;
import io.assay.sdk.testkit.contract.SettingsContract;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;

/** The kit's contracts for every source and writer of this plugin, each writer read back by its source. */
class SourceAndWriterContractsTest {

    private static SourceSettings paths(String relative) {
        return new SourceSettings(List.of(Fixtures.root().resolve(relative)));
    }

    private static CrawlSourceSettings crawl(String relative) {
        return TestSettings.bind(CrawlSourceSettings.class, "paths = [\"" + Fixtures.root().resolve(relative) + "\"]");
    }

    @Nested
    class WebDatasetWriter implements DatasetWriterContract {
        @Override
        public DatasetWriter create() {
            return new WebDatasetShards(TestSettings.bind(ShardSettings.class, "shard-size = 2"));
        }

        @Override
        public RecordSource readBack(Path directory) {
            return new WebDatasetRecords(new SourceSettings(List.of(directory)));
        }
    }

    @Nested
    class DirectoryWriter implements DatasetWriterContract {
        @Override
        public DatasetWriter create() {
            return new DirectoryDataset();
        }

        @Override
        public RecordSource readBack(Path directory) {
            return new ManifestRecords(new SourceSettings(List.of(directory)));
        }
    }

    @Nested
    class WebDatasetSource implements RecordSourceContract {
        @Override
        public RecordSource create() {
            return new WebDatasetRecords(paths("shards"));
        }

        @Override
        public int expectedRecords() {
            return Fixtures.records().size();
        }
    }

    @Nested
    class ManifestSource implements RecordSourceContract {
        @Override
        public RecordSource create() {
            return new ManifestRecords(paths("dataset"));
        }

        @Override
        public int expectedRecords() {
            return Fixtures.records().size();
        }

        /** A manifest line that is not JSON. */
        @Override
        public RecordSource createDamaged() {
            return new ManifestRecords(paths("damaged-dataset"));
        }
    }

    @Nested
    class WarcSource implements RecordSourceContract {
        @Override
        public RecordSource create() {
            return new WarcRecords(crawl("crawl.warc"));
        }

        /** Three images on two pages. */
        @Override
        public int expectedRecords() {
            return 3;
        }

        /** A response record whose payload is not HTTP. */
        @Override
        public RecordSource createDamaged() {
            return new WarcRecords(crawl("damaged-crawl.warc"));
        }
    }

    @Nested
    class Packaging implements PackagingContract {
    }

    @Nested
    class CrawlSettings implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return CrawlSourceSettings.class;
        }

        @Override
        public String requiredSettings() {
            return "paths = [crawl]";
        }
    }

    @Nested
    class FileSourceSettings implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return SourceSettings.class;
        }

        @Override
        public String requiredSettings() {
            return "paths = [shards]";
        }
    }

    @Nested
    class Shards implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return ShardSettings.class;
        }
    }

    @Nested
    class ClipScoreSettingsContract implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return ClipScoreSettings.class;
        }
    }
}
