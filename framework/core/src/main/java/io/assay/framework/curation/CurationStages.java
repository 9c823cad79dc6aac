package io.assay.framework.curation;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigOrigin;
import io.assay.framework.host.ComponentCatalog;
import io.assay.framework.host.ComponentInfo;
import io.assay.framework.host.Lease;
import io.assay.framework.host.PluginHost;
import io.assay.lib.websources.DatasetWriters;
import io.assay.sdk.Stage;
import io.assay.sdk.StageContext;
import io.assay.sdk.TraceSink;
import io.assay.sdk.curation.DatasetWriter;
import io.assay.sdk.curation.RecordSource;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.settings.ConfigProblem;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.settings.Names;
import io.assay.sdk.settings.ComponentKeys;
import io.assay.sdk.settings.SettingsBinder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Curation's SDK 1.1 extension points chosen by config: {@code curation.source { name = warc, paths = [...] }} picks
 * a {@link RecordSource} component and {@code curation.writer { name = webdataset }} a {@link DatasetWriter}
 * component, their other keys bound to the component's settings; without them the built-in source
 * ({@code curation.source.type}) and format ({@code curation.format}) run, as before.
 */
public final class CurationStages {

    private CurationStages() {
    }

    /**
     * A component a curation block selected.
     *
     * @param key the config block, e.g. {@code curation.source}
     * @param component the installed component
     * @param settings its bound settings
     */
    public record Selected(String key, ComponentInfo component, Record settings) {
    }

    /**
     * The component {@code block} names ({@code name = …}) among the installed {@code stage} components, its settings
     * bound, or null with a problem in {@code report}.
     *
     * @param builtIns names the block may also give that are not components (listed in the message)
     */
    static Selected select(Config block, ConfigOrigin origin, String key, Class<? extends Stage> stage,
            ComponentCatalog catalog, Collection<String> builtIns, ConfigReport report) {
        String name = block.getString("name");
        ComponentInfo ci = catalog.find(stage, name).orElse(null);
        if (ci == null) {
            Set<String> known = new TreeSet<>(catalog.names(stage));
            known.addAll(builtIns);
            String hint = Names.suggest(name, known);
            report.error(ConfigProblem.at(block.getValue("name").origin(), key + ".name", "no "
                    + stage.getSimpleName() + " named '" + name + "'" + (hint != null ? "; did you mean '" + hint
                    + "'?" : "") + "; installed: " + (known.isEmpty() ? "none" : String.join(", ", known))));
            return null;
        }
        Record settings = SettingsBinder.bind(block, origin, key, ci.settingsType(),
                ComponentKeys.accepted(ci.extensionClass()), Set.of("name"), stage.getSimpleName() + " '"
                + ci.name() + "'", Map.of(), io.assay.sdk.ModelConfig.NONE, key, report);
        return settings == null ? null : new Selected(key, ci, settings);
    }

    /** The context of a curation stage: no trace, never cancelled (the run stops between batches), no model. */
    private record Context(String stage, String component, Path baseDirectory) implements StageContext {
        @Override
        public TraceSink trace() {
            return TraceSink.NONE;
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    }

    /** Creates the selected source and shows it as the curation run's record source. */
    static io.assay.lib.websources.RecordSource openSource(PluginHost host, Lease lease, Selected s, Path baseDir) {
        RecordSource source = host.create(lease, RecordSource.class, s.component().name(), s.settings(),
                new Context(s.key(), s.component().name(), baseDir));
        return new io.assay.lib.websources.RecordSource() {
            @Override
            public Iterator<WebRecord> records() {
                return source.records();
            }

            @Override
            public String describe() {
                return source.describe() + " (RecordSource '" + s.component().name() + "', plugin "
                        + s.component().pluginLabel() + ")";
            }

            @Override
            public void close() {
                source.close();
            }
        };
    }

    /** Where a curation run writes its kept dataset; closing releases the writer component, if any. */
    public interface Writers extends CurationRun.WriterFactory, AutoCloseable {
        /** What writes, for the run's summary: the built-in format or the component. */
        String describe();

        @Override
        void close();
    }

    /** The built-in writer of {@code format} ({@code curation.format}). */
    static Writers builtIn(String format, int shardSize) {
        return new Writers() {
            @Override
            public io.assay.lib.websources.DatasetWriter open(Path dir, Map<String, Object> resumeFrom)
                    throws IOException {
                return DatasetWriters.open(format, dir, shardSize, resumeFrom);
            }

            @Override
            public String describe() {
                return format;
            }

            @Override
            public void close() {
            }
        };
    }

    /** The selected writer component. */
    static Writers component(PluginHost host, Lease lease, Selected s, Path baseDir) {
        DatasetWriter writer = host.create(lease, DatasetWriter.class, s.component().name(), s.settings(),
                new Context(s.key(), s.component().name(), baseDir));
        return new Writers() {
            @Override
            public io.assay.lib.websources.DatasetWriter open(Path dir, Map<String, Object> resumeFrom)
                    throws IOException {
                DatasetWriter.Output out = writer.open(dir, resumeFrom);
                return new io.assay.lib.websources.DatasetWriter() {
                    @Override
                    public void write(WebRecord record, Map<String, Object> extra) throws IOException {
                        out.write(record, extra);
                    }

                    @Override
                    public Map<String, Object> checkpoint() throws IOException {
                        return out.checkpoint();
                    }

                    @Override
                    public void close() throws IOException {
                        out.close();
                    }

                    @Override
                    public long written() {
                        return out.written();
                    }
                };
            }

            @Override
            public String describe() {
                return s.component().name() + " (DatasetWriter, plugin " + s.component().pluginLabel()
                        + "; read back by RecordSource '" + writer.readBy() + "')";
            }

            @Override
            public void close() {
                writer.close();
            }
        };
    }

    /** The plugin versions of the selected components, for the plan's hash. */
    static List<String> versions(Selected... selected) {
        List<String> out = new ArrayList<>();
        for (Selected s : selected) {
            if (s != null) {
                out.add(s.key() + "=" + s.component().pluginId() + " " + s.component().pluginVersion());
            }
        }
        return out;
    }
}
