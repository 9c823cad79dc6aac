package io.assay.sdk.testkit.contract;

import static io.assay.sdk.curation.RecordSource.UNREADABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.assay.sdk.Setting;
import io.assay.sdk.curation.Images;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.curation.Verdict;
import io.assay.sdk.curation.WebRecord;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.ConditioningKind;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.LatentSampling;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.NoiseStream;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.TestSettings;
import io.assay.sdk.testkit.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Each contract fails a stage that breaks one of its rules, with a message saying what was expected and what the
 * stage did. The broken fixtures are static nested classes, so JUnit does not run them as tests itself: the default
 * test methods are called directly.
 */
class ContractsCatchBrokenStagesTest {

    /** The failure of {@code test}; fails this test if the contract let the broken stage through. */
    private static String failure(Executable test) {
        AssertionError e = assertThrows(AssertionError.class, test,
                "the contract should have failed on the broken stage");
        return e.getMessage();
    }

    // ---- schedulers ------------------------------------------------------------------------------------------------

    static class SchedulerFixture implements SchedulerContract {
        final java.util.function.Supplier<Scheduler> factory;

        SchedulerFixture(java.util.function.Supplier<Scheduler> factory) {
            this.factory = factory;
        }

        @Override
        public Scheduler create() {
            return factory.get();
        }
    }

    @Test
    void aSchedulerThatMutatesItsSampleIsCaught() {
        SchedulerFixture f = new SchedulerFixture(() -> new Toys.ToyScheduler() {
            @Override
            void touch(Tensor sample, Tensor modelOutput) {
                sample.data()[3] += 1f;
            }
        });
        assertThat(failure(f::stepDoesNotModifyItsInputs)).contains("modified its input 'sample'")
                .contains("expected it unchanged").contains("index 3");
    }

    @Test
    void aSchedulerThatMutatesItsModelOutputIsCaught() {
        SchedulerFixture f = new SchedulerFixture(() -> new Toys.ToyScheduler() {
            @Override
            void touch(Tensor sample, Tensor modelOutput) {
                modelOutput.data()[0] = 0f;
            }
        });
        assertThat(failure(f::stepDoesNotModifyItsInputs)).contains("modified its input 'modelOutput'");
    }

    @Test
    void increasingOrOutOfRangeTimestepsAreCaught() {
        SchedulerFixture increasing = new SchedulerFixture(() -> new Toys.ToyScheduler() {
            @Override
            double[] timesteps(int n) {
                double[] t = super.timesteps(n);
                if (n > 1) {
                    t[n - 1] = 999;
                }
                return t;
            }
        });
        assertThat(failure(increasing::timestepsAreNonIncreasingAndInTheTrainingRange))
                .contains("expected non-increasing timesteps").contains("999.0");
        SchedulerFixture outOfRange = new SchedulerFixture(() -> new Toys.ToyScheduler() {
            @Override
            double[] timesteps(int n) {
                double[] t = super.timesteps(n);
                t[0] = 1000;
                return t;
            }
        });
        assertThat(failure(outOfRange::timestepsAreNonIncreasingAndInTheTrainingRange))
                .contains("in the training range [0, 999]").contains("1000.0");
    }

    @Test
    void aSchedulerKeepingTheCallersTensorsIsCaught() {
        SchedulerFixture f = new SchedulerFixture(() -> new Toys.ToyScheduler() {
            @Override
            Tensor remember(Tensor modelOutput) {
                return modelOutput;
            }
        });
        assertThat(failure(f::stepKeepsNoReferenceToItsInputs)).contains("a scheduler must copy what it keeps");
    }

    @Test
    void aSchedulerSharingRunStateAcrossPlansIsCaught() {
        SchedulerFixture f = new SchedulerFixture(() -> new Toys.ToyScheduler() {
            @Override
            boolean historyOnInstance() {
                return true;
            }
        });
        assertThat(failure(f::runsAreDeterministicAndIndependent)).contains("bit-identical");
    }

    @Test
    void undeclaredOrMisdirectedNoiseDrawsAreCaught() {
        SchedulerFixture drawsSilently = new SchedulerFixture(() -> new Toys.ToyScheduler() {
            @Override
            float[] noise(NoiseStream noise, int i, long[] shape) {
                return noise.drawForStep(i, shape).data();
            }
        });
        assertThat(failure(drawsSilently::noiseIsDrawnPerStepAsDeclared)).contains("not declared stochastic()")
                .contains("expected no noise draws");
        SchedulerFixture sequential = new SchedulerFixture(() -> new Toys.ToyScheduler() {
            @Override
            float[] noise(NoiseStream noise, int i, long[] shape) {
                return noise.draw(shape).data();
            }
        }) {
            @Override
            public boolean stochastic() {
                return true;
            }
        };
        assertThat(failure(sequential::noiseIsDrawnPerStepAsDeclared)).contains("to draw noise as drawForStep(0")
                .contains("but it called draw");
    }

    @Test
    void aDeclaredDenoisedOutputThatIsMissingIsCaught() {
        SchedulerFixture f = new SchedulerFixture(() -> new Toys.ToyScheduler() {
            @Override
            boolean returnsDenoised() {
                return false;
            }
        }) {
            @Override
            public boolean computesDenoised() {
                return true;
            }
        };
        assertThat(failure(f::stepReturnsLatentsOfTheSampleShape)).contains("declares computesDenoised()")
                .contains("but it is null");
    }

    @Test
    void aStageThatIgnoresCloseIsCaught() {
        SchedulerFixture f = new SchedulerFixture(() -> new Toys.ToyScheduler() {
            @Override
            public void close() {
            }
        });
        assertThat(failure(f::useAfterCloseThrowsClosed)).contains("using the stage after close()")
                .contains("StageException CLOSED").contains("returned normally");
    }

    @Test
    void aStageWithoutComponentAnnotationIsCaught() {
        SchedulerFixture f = new SchedulerFixture(() -> new Toys.ToyScheduler() {
        });
        assertThat(failure(f::declaresItsComponent)).contains("expected an @io.assay.sdk.Component annotation");
    }

    @Test
    void aSchedulerThatIsNotDiffusersDdimFailsTheDdimReference() {
        List<SchedulerReference.Run> runs = SchedulerReference.runs("ddim");
        assertThat(runs).isNotEmpty();
        assertThat(failure(() -> SchedulerReference.assertMatches(new Toys.ToyScheduler(), runs.get(0), 1.0)))
                .contains("expected timestep(0) = 951.0 exactly").contains("but it is 999.0");
    }

    // ---- scraper filters -------------------------------------------------------------------------------------------

    static class FilterFixture implements ScraperFilterContract {
        final java.util.function.Supplier<ScraperFilter> factory;

        FilterFixture(java.util.function.Supplier<ScraperFilter> factory) {
            this.factory = factory;
        }

        @Override
        public ScraperFilter create() {
            return factory.get();
        }
    }

    @Test
    void aFilterReturningTooFewVerdictsIsCaught() {
        FilterFixture f = new FilterFixture(() -> new Toys.ToyCaptionFilter() {
            @Override
            public List<Verdict> judgeAll(List<WebRecord> records) {
                List<Verdict> all = super.judgeAll(records);
                return all.subList(0, all.size() - 1);
            }
        });
        assertThat(failure(f::judgeAllGivesOneVerdictPerRecord)).contains("to return 16 verdicts")
                .contains("but it returned 15");
    }

    @Test
    void aFilterReturningVerdictsOutOfOrderIsCaught() {
        FilterFixture f = new FilterFixture(() -> new Toys.ToyCaptionFilter() {
            @Override
            public List<Verdict> judgeAll(List<WebRecord> records) {
                List<Verdict> all = new ArrayList<>(super.judgeAll(records));
                Collections.reverse(all);
                return all;
            }
        });
        assertThat(failure(f::judgeAllEqualsJudgeOneByOne)).contains("judgeAll(records) vs judge() one by one");
    }

    @Test
    void aFilterThrowingOnGarbageBytesIsCaught() {
        FilterFixture f = new FilterFixture(() -> new Toys.ToyCaptionFilter() {
            @Override
            Verdict unreadable(Images.UnreadableImageException e) {
                throw new IllegalStateException("cannot decode", e);
            }
        });
        assertThat(failure(f::unreadableImagesAreRejectedNotThrown)).contains("garbage-image")
                .contains("to succeed, but it threw java.lang.IllegalStateException");
    }

    @Test
    void aRejectionReasonThatIsNotKebabCaseIsCaught() {
        FilterFixture f = new FilterFixture(() -> new Toys.ToyCaptionFilter() {
            @Override
            String reason() {
                return "Short Caption";
            }
        });
        assertThat(failure(f::verdictsCarryKebabCaseReasons)).contains("expected a kebab-case rejection reason")
                .contains("'Short Caption'");
    }

    @Test
    void aStatefulFilterThatForgetsItsStateIsCaught() {
        FilterFixture f = new FilterFixture(() -> new Toys.ToyRepeatFilter() {
            @Override
            public byte[] saveState() {
                return new byte[0];
            }
        }) {
            @Override
            public boolean stateful() {
                return true;
            }
        };
        assertThat(failure(f::savedStateResumesJudgingIdentically)).contains("declared stateful")
                .contains("saveState()").contains("it is empty");
        // Declared stateless, the state loss shows up in the resumed run instead.
        FilterFixture undeclared = new FilterFixture(() -> new Toys.ToyRepeatFilter() {
            @Override
            public byte[] saveState() {
                return new byte[0];
            }
        });
        assertThat(failure(undeclared::savedStateResumesJudgingIdentically))
                .contains("a filter restored from saveState()");
    }

    @Test
    void aStatefulFilterDeclaredStatelessIsCaught() {
        FilterFixture f = new FilterFixture(Toys.ToyRepeatFilter::new);
        assertThat(failure(f::statelessVerdictsDoNotDependOnOrder)).contains("(not declared stateful)");
    }

    // ---- guidance --------------------------------------------------------------------------------------------------

    static class GuidanceFixture implements GuidanceContract {
        final java.util.function.DoubleFunction<Guidance> factory;

        GuidanceFixture(java.util.function.DoubleFunction<Guidance> factory) {
            this.factory = factory;
        }

        @Override
        public Guidance create() {
            return factory.apply(7.5);
        }

        @Override
        public boolean cfgLike() {
            return true;
        }

        @Override
        public Guidance createAtScale(double scale) {
            return factory.apply(scale);
        }
    }

    private static Toys.ToyCfgSettings cfg(double scale, boolean skip) {
        return TestSettings.bind(Toys.ToyCfgSettings.class, "scale = " + scale + ", skip-at-one = " + skip);
    }

    @Test
    void guidanceStateSharedBetweenRunsIsCaught() {
        GuidanceFixture f = new GuidanceFixture(s -> new Toys.ToyCfg(cfg(s, true)) {
            @Override
            boolean momentumOnInstance() {
                return true;
            }
        });
        assertThat(failure(f::eachStartGivesAnIndependentRun)).contains("state leaked from the earlier run");
    }

    @Test
    void aCfgLikeGuidanceThatIsNotCondAtScaleOneIsCaught() {
        GuidanceFixture f = new GuidanceFixture(s -> new Toys.ToyCfg(cfg(s, false)) {
            @Override
            float momentumEffect(float m) {
                return 0.5f;
            }
        });
        assertThat(failure(f::cfgLikeAtScaleOneReturnsCond)).contains("at scale 1")
                .contains("(= cond, since uncond + 1·(cond − uncond) = cond)");
    }

    @Test
    void aGuidanceThatModifiesAPredictionIsCaught() {
        GuidanceFixture f = new GuidanceFixture(s -> new Toys.ToyCfg(cfg(s, true)) {
            @Override
            public Run start(int iterations) {
                Run inner = super.start(iterations);
                return new Run() {
                    @Override
                    public List<ConditioningKind> needs(StepInfo step) {
                        return inner.needs(step);
                    }

                    @Override
                    public Tensor combine(StepInfo step, Map<ConditioningKind, Tensor> p, Tensor sample) {
                        Tensor out = inner.combine(step, p, sample);
                        p.get(ConditioningKind.COND).data()[0] = 42f;
                        return out;
                    }

                    @Override
                    public String describe() {
                        return inner.describe();
                    }
                };
            }
        });
        assertThat(failure(f::combineDoesNotModifyItsInputs)).contains("modified its input prediction cond");
    }

    // ---- noise -----------------------------------------------------------------------------------------------------

    static class NoiseFixture implements NoiseSourceContract {
        final java.util.function.Supplier<NoiseSource> factory;

        NoiseFixture(java.util.function.Supplier<NoiseSource> factory) {
            this.factory = factory;
        }

        @Override
        public NoiseSource create() {
            return factory.get();
        }
    }

    @Test
    void noiseFromOneSharedGeneratorIsCaught() {
        NoiseFixture f = new NoiseFixture(() -> new Toys.ToyNoise() {
            @Override
            Random random(long seed) {
                return shared;
            }
        });
        assertThat(failure(f::sameSeedGivesTheSameNoise)).contains("opened with seed 42").contains("bit-identical");
    }

    @Test
    void noiseThatIsNotUnitVarianceIsCaught() {
        NoiseFixture f = new NoiseFixture(() -> new Toys.ToyNoise() {
            @Override
            double scale() {
                return 1.05;
            }
        });
        assertThat(failure(f::largeDrawIsStandardNormal)).contains("standard deviation of 65536 draws");
    }

    @Test
    void noiseThatIgnoresTheSeedIsCaughtUnlessDeclared() {
        java.util.function.Supplier<NoiseSource> ignoring = () -> new Toys.ToyNoise() {
            @Override
            Random random(long seed) {
                return new Random(0);
            }
        };
        assertThat(failure(new NoiseFixture(ignoring)::differentSeedsGiveDifferentNoise))
                .contains("expected seeds 1 and 2 to give different noise");
        new NoiseFixture(ignoring) {
            @Override
            public boolean seedDetermined() {
                return false;
            }
        }.differentSeedsGiveDifferentNoise();
    }

    // ---- denoiser --------------------------------------------------------------------------------------------------

    static class DenoiserFixture implements DenoiserContract {
        final java.util.function.Supplier<Denoiser> factory;

        DenoiserFixture(java.util.function.Supplier<Denoiser> factory) {
            this.factory = factory;
        }

        @Override
        public Denoiser create() {
            return factory.get();
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

    @Test
    void aDenoiserMixingBatchRowsIsCaught() {
        DenoiserFixture f = new DenoiserFixture(() -> new Toys.ToyDenoiser() {
            @Override
            double rowMean(Tensor cond, int row, int per) {
                return cond.mean();
            }
        });
        assertThat(failure(f::batchRowsAreIndependent)).contains("row 0 of a batch of two");
    }

    @Test
    void aDenoiserModifyingItsSampleIsCaught() {
        DenoiserFixture f = new DenoiserFixture(() -> new Toys.ToyDenoiser() {
            @Override
            public Tensor predict(Tensor sample, double t, Tensor cond) {
                Tensor out = super.predict(sample, t, cond);
                sample.data()[5] *= 2;
                return out;
            }
        });
        assertThat(failure(f::predictDoesNotModifyItsInputs)).contains("modified its input 'sample' of predict()");
    }

    @Test
    void aDenoiserDeclaringOtherChannelsIsCaught() {
        DenoiserFixture f = new DenoiserFixture(() -> new Toys.ToyDenoiser() {
            @Override
            public int latentChannels() {
                return 8;
            }
        });
        assertThat(failure(f::declaresItsShapes)).contains("expected latentChannels() = 4").contains("it is 8");
    }

    // ---- text encoder ----------------------------------------------------------------------------------------------

    static class TextFixture implements TextEncoderContract {
        final java.util.function.Supplier<TextEncoder> factory;

        TextFixture(java.util.function.Supplier<TextEncoder> factory) {
            this.factory = factory;
        }

        @Override
        public TextEncoder create() {
            return factory.get();
        }
    }

    @Test
    void aTokenReportWithoutEosIsCaught() {
        TextFixture f = new TextFixture(() -> new Toys.ToyTextEncoder() {
            @Override
            int kept(int n) {
                return Math.min(n, L - 1);
            }
        });
        assertThat(failure(f::tokenReportAgreesWithTheEncoding)).contains("to contain EOS 2, but it has none");
    }

    @Test
    void aTextEncoderWhoseBatchChangesItsOutputIsCaught() {
        TextFixture f = new TextFixture(() -> new Toys.ToyTextEncoder() {
            @Override
            double batchEffect(int batch) {
                return 0.01 * batch;
            }
        });
        assertThat(failure(f::aBatchEncodesEachPromptAsAlone)).contains("row 0").contains("within 1.0E-5");
    }

    @Test
    void aTextEncoderAcceptingAnEmptyListIsCaught() {
        TextFixture f = new TextFixture(() -> new Toys.ToyTextEncoder() {
            @Override
            public io.assay.sdk.diffusion.Conditioning encode(List<String> texts) {
                return super.encode(texts.isEmpty() ? List.of("") : texts);
            }
        });
        assertThat(failure(f::emptyListIsInvalidInput)).contains("encode(List.of())")
                .contains("StageException INVALID_INPUT, but it returned normally");
    }

    // ---- autoencoder -----------------------------------------------------------------------------------------------

    static class VaeFixture implements AutoencoderContract {
        final java.util.function.Supplier<Autoencoder> factory;

        VaeFixture(java.util.function.Supplier<Autoencoder> factory) {
            this.factory = factory;
        }

        @Override
        public Autoencoder create() {
            return factory.get();
        }

        @Override
        public long[] imageShape() {
            return new long[] {1, 3, 16, 16};
        }
    }

    @Test
    void aDecoderOfTheWrongFactorIsCaught() {
        VaeFixture f = new VaeFixture(() -> new Toys.ToyVae() {
            @Override
            int outputFactor() {
                return 2;
            }
        });
        assertThat(failure(f::decodeGivesImagesOfTheDeclaredShape)).contains("of shape [1, 3, 16, 16]")
                .contains("but got [1, 3, 8, 8]");
    }

    @Test
    void aMissingEncoderRefusedWithoutTheStandardErrorIsCaught() {
        VaeFixture f = new VaeFixture(() -> new Toys.ToyVae() {
            @Override
            public Tensor encode(Tensor image, LatentSampling sampling, NoiseStream noise) {
                throw new IllegalStateException("no encoder");
            }
        }) {
            @Override
            public boolean supportsEncode() {
                return false;
            }
        };
        assertThat(failure(f::encodeGivesLatentsOfTheDeclaredShape)).contains("StageException UNSUPPORTED")
                .contains("java.lang.IllegalStateException: no encoder");
    }

    @Test
    void samplingThatIgnoresTheNoiseIsCaught() {
        VaeFixture f = new VaeFixture(() -> new Toys.ToyVae() {
            @Override
            public Tensor encode(Tensor image, LatentSampling sampling, NoiseStream noise) {
                return super.encode(image, LatentSampling.MEAN, noise);
            }
        });
        assertThat(failure(f::encodeSampleDrawsFromTheNoiseStream))
                .contains("expected encode(SAMPLE) to draw from the noise stream");
    }

    // ---- settings --------------------------------------------------------------------------------------------------

    record NoDoc(@Setting(doc = "", defaultValue = "1") int steps) {
    }

    record PrimitiveWithoutDefault(@Setting(doc = "How many") int count) {
    }

    record BadDefault(@Setting(doc = "How many", defaultValue = "many") int count) {
    }

    record CamelKey(@Setting(doc = "A weight", defaultValue = "1", key = "fooBar") double weight) {
    }

    record Unannotated(double weight) {
    }

    record OutOfRangeDefault(@Setting(doc = "A fraction", defaultValue = "2", min = 0, max = 1) double fraction) {
    }

    private static SettingsContract settings(Class<? extends Record> type) {
        return () -> type;
    }

    @Test
    void brokenSettingsRecordsAreCaught() {
        assertThat(failure(settings(NoDoc.class)::everyComponentIsADocumentedSetting))
                .contains("expected a one-line doc in @Setting of 'steps'");
        assertThat(failure(settings(Unannotated.class)::everyComponentIsADocumentedSetting))
                .contains("expected component 'weight' to carry @Setting");
        assertThat(failure(settings(PrimitiveWithoutDefault.class)::declaredDefaultsBind))
                .contains("'count' has no default").contains("non-primitive");
        assertThat(failure(settings(BadDefault.class)::declaredDefaultsBind))
                .contains("expected the declared defaults to bind").contains("settings.count")
                .contains("expected a whole number");
        assertThat(failure(settings(OutOfRangeDefault.class)::declaredDefaultsBind))
                .contains("expected a number in [0, 1], found 2");
        assertThat(failure(settings(CamelKey.class)::keysAreKebabCaseAndUnique))
                .contains("expected kebab-case keys").contains("'fooBar'");
    }

    @Test
    void theUnknownKeyCheckNamesTheMisspeltKey() {
        // The contract passes on a record whose binder refuses unknown keys; the check itself is exercised here.
        settings(Toys.ToyCfgSettings.class).unknownKeysAreRefusedNamingThem();
        settings(Toys.ToyCfgSettings.class).wrongValueTypesAreRefusedNamingTheKey();
    }

    // ---- SDK 1.1: record sources, dataset writers, similarity metrics -----------------------------------------------

    private static RecordSourceContract source(java.util.function.Supplier<io.assay.sdk.curation.RecordSource> f,
            io.assay.sdk.curation.RecordSource damaged) {
        return new RecordSourceContract() {
            @Override
            public io.assay.sdk.curation.RecordSource create() {
                return f.get();
            }

            @Override
            public io.assay.sdk.curation.RecordSource createDamaged() {
                return damaged;
            }
        };
    }

    @Test
    void aSourceWhosePassesDifferIsCaught() {
        java.util.concurrent.atomic.AtomicInteger passes = new java.util.concurrent.atomic.AtomicInteger();
        RecordSourceContract c = source(() -> new CurationToys.ToySource() {
            @Override
            java.util.List<io.assay.sdk.curation.WebRecord> records0() {
                java.util.List<io.assay.sdk.curation.WebRecord> r = new java.util.ArrayList<>(super.records0());
                java.util.Collections.rotate(r, passes.getAndIncrement());
                return r;
            }
        }, null);
        assertThat(failure(c::passesRepeatAndDoNotDisturbEachOther)).contains("expected a second pass to yield the "
                + "same records in the same order").contains("record 0 differs");
    }

    @Test
    void aSourceRepeatingAnIdOrThrowingOnDamageIsCaught() {
        RecordSourceContract repeats = source(() -> new CurationToys.ToySource() {
            @Override
            java.util.List<io.assay.sdk.curation.WebRecord> records0() {
                java.util.List<io.assay.sdk.curation.WebRecord> r = new java.util.ArrayList<>(super.records0());
                r.add(r.get(0));
                return r;
            }
        }, null);
        assertThat(failure(repeats::aPassYieldsRecordsWithUniqueIds)).contains("expected unique record ids")
                .contains("'photo-1' (record 16)");
        RecordSourceContract throwing = source(CurationToys.ToySource::new, new CurationToys.ToySource(true) {
            @Override
            public java.util.Iterator<io.assay.sdk.curation.WebRecord> records() {
                java.util.Iterator<io.assay.sdk.curation.WebRecord> it = super.records();
                return new java.util.Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public io.assay.sdk.curation.WebRecord next() {
                        io.assay.sdk.curation.WebRecord r = it.next();
                        if (r.metadata().containsKey(UNREADABLE)) {
                            throw new IllegalStateException("corrupt gzip member");
                        }
                        return r;
                    }
                };
            }
        });
        assertThat(failure(throwing::damageIsReportedInBandNotThrown)).contains("a whole pass")
                .contains("corrupt gzip member");
        RecordSourceContract silent = source(CurationToys.ToySource::new, new CurationToys.ToySource(false));
        assertThat(failure(silent::damageIsReportedInBandNotThrown)).contains("expected at least one record marked "
                + "'unreadable'");
    }

    @Test
    void aWriterThatIgnoresItsCheckpointIsCaught() {
        DatasetWriterContract c = new DatasetWriterContract() {
            @Override
            public io.assay.sdk.curation.DatasetWriter create() {
                return new CurationToys.ToyWriter() {
                    @Override
                    public Output open(java.nio.file.Path directory, java.util.Map<String, Object> resumeFrom)
                            throws java.io.IOException {
                        if (resumeFrom == null) {
                            return super.open(directory, null);
                        }
                        // Resumes after the last record on disk instead of at the checkpoint.
                        long onDisk;
                        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(directory)) {
                            onDisk = s.filter(p -> p.toString().endsWith(".id")).count();
                        }
                        return super.open(directory, java.util.Map.of("count", onDisk));
                    }
                };
            }

            @Override
            public io.assay.sdk.curation.RecordSource readBack(java.nio.file.Path directory) {
                return CurationToys.reader(directory);
            }
        };
        assertThat(failure(c::resumingFromACheckpointDropsWhatCameAfterIt)).contains("expected written() = 4 after "
                + "resuming at 3").contains("but it is 6");
    }

    @Test
    void aWriterThatTakesOverANonEmptyDirectoryIsCaught() {
        DatasetWriterContract c = new DatasetWriterContract() {
            @Override
            public io.assay.sdk.curation.DatasetWriter create() {
                return new CurationToys.ToyWriter() {
                    @Override
                    public Output open(java.nio.file.Path directory, java.util.Map<String, Object> resumeFrom)
                            throws java.io.IOException {
                        // Writes beside whatever the directory holds.
                        return super.open(directory.resolve("records"), resumeFrom);
                    }
                };
            }

            @Override
            public io.assay.sdk.curation.RecordSource readBack(java.nio.file.Path directory) {
                return CurationToys.reader(directory);
            }
        };
        assertThat(failure(c::aFreshStartRefusesANonEmptyDirectory)).contains("expected open(non-empty directory, "
                + "null) to throw IOException");
    }

    @Test
    void aMetricThatNormalisesAcrossTheBatchIsCaught() {
        SimilarityMetricContract c = () -> new CurationToys.ToyMetric() {
            @Override
            public double[] scores(java.util.List<io.assay.sdk.tensor.RgbImage> images, java.util.List<String> texts) {
                double[] s = super.scores(images, texts);
                double max = java.util.Arrays.stream(s).map(Math::abs).max().orElse(1);
                return java.util.Arrays.stream(s).map(x -> x / max).toArray();
            }
        };
        assertThat(failure(c::scoresArePerPairFiniteDeterministicAndIndependent)).contains("to score the same alone");
        SimilarityMetricContract lenient = () -> new CurationToys.ToyMetric() {
            @Override
            public double[] scores(java.util.List<io.assay.sdk.tensor.RgbImage> images, java.util.List<String> texts) {
                return super.scores(images, texts.size() < images.size() ? java.util.Collections.nCopies(
                        images.size(), "") : texts);
            }
        };
        assertThat(failure(lenient::mismatchedListsAreRefusedAndEmptyOnesScoreNothing)).contains("scores(2 images, "
                + "1 text)");
    }

    @Test
    void aSchedulerIgnoringTheModelsTrainingTimestepsIsCaught() throws java.io.IOException {
        SchedulerContract ignores = new SchedulerContract() {
            @Override
            public Scheduler create() {
                return new Toys.ToyScheduler();
            }

            @Override
            public Scheduler createForModel(io.assay.sdk.ModelConfig model) {
                return new Toys.ToyScheduler();
            }
        };
        assertThat(failure(ignores::honoursTheModelsTrainingTimesteps)).contains("built for a model with "
                + "num_train_timesteps = 500").contains("expected every timestep of plan(20) in [0, 499]")
                .contains("iteration 0 has 999.0");
        SchedulerContract follows = new SchedulerContract() {
            @Override
            public Scheduler create() {
                return new Toys.ToyScheduler();
            }

            @Override
            public Scheduler createForModel(io.assay.sdk.ModelConfig model) {
                int train = model.value(io.assay.sdk.ModelConfig.SCHEDULER, "num_train_timesteps", Integer.class)
                        .orElseThrow();
                return new Toys.ToyScheduler() {
                    @Override
                    double[] timesteps(int n) {
                        double[] t = new double[n];
                        for (int i = 0; i < n; i++) {
                            t[i] = Math.floor((train - 1.0) * (n - i) / n);
                        }
                        return t;
                    }
                };
            }
        };
        follows.honoursTheModelsTrainingTimesteps();
    }
}
