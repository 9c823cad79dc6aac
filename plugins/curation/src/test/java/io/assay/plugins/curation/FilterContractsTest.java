package io.assay.plugins.curation;

import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.testkit.TestSettings;
import io.assay.sdk.testkit.contract.PackagingContract;
import io.assay.sdk.testkit.contract.ScraperFilterContract;
import io.assay.sdk.testkit.contract.SettingsContract;
import org.junit.jupiter.api.Nested;

/**
 * The SDK test kit's contracts for this plugin: {@link ScraperFilterContract} for the four filters that need no
 * model (on the kit's sample records, with default settings), {@link SettingsContract} for all five settings records,
 * and {@link PackagingContract}. {@code image-text} has no stage contract here: it needs a CLIP-style model
 * directory, which this module's tests do not have.
 */
class FilterContractsTest {

    @Nested
    class JunkCaption implements ScraperFilterContract {
        @Override
        public ScraperFilter create() {
            return new JunkCaptionFilter(TestSettings.defaults(JunkCaptionSettings.class));
        }

        /** Captions only: image bytes never change its verdict. */
        @Override
        public boolean readsImages() {
            return false;
        }
    }

    @Nested
    class MinSize implements ScraperFilterContract {
        @Override
        public ScraperFilter create() {
            return new MinSizeFilter(TestSettings.defaults(MinSizeSettings.class));
        }
    }

    /** Stateful: an image is a duplicate of one kept earlier; the hashes kept are the checkpoint state. */
    @Nested
    class NearDuplicate implements ScraperFilterContract {
        @Override
        public ScraperFilter create() {
            return new NearDuplicateFilter(TestSettings.defaults(NearDuplicateSettings.class));
        }

        @Override
        public boolean stateful() {
            return true;
        }
    }

    /** Needs the survey pass (the contract runs it as the host does); judging is then per record. */
    @Nested
    class LinkRank implements ScraperFilterContract {
        @Override
        public ScraperFilter create() {
            return new LinkRankFilter(TestSettings.defaults(LinkRankSettings.class));
        }

        @Override
        public boolean readsImages() {
            return false;
        }
    }

    @Nested
    class Packaging implements PackagingContract {
    }

    @Nested
    class ImageTextSettingsContract implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return ImageTextSettings.class;
        }
    }

    @Nested
    class MinSizeSettingsContract implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return MinSizeSettings.class;
        }
    }

    @Nested
    class JunkCaptionSettingsContract implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return JunkCaptionSettings.class;
        }
    }

    @Nested
    class NearDuplicateSettingsContract implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return NearDuplicateSettings.class;
        }
    }

    @Nested
    class LinkRankSettingsContract implements SettingsContract {
        @Override
        public Class<? extends Record> settingsType() {
            return LinkRankSettings.class;
        }
    }
}
