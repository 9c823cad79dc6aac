package io.assay.sdk.testkit.contract;

import static io.assay.sdk.testkit.contract.Checks.check;
import static io.assay.sdk.testkit.contract.Checks.describe;
import static io.assay.sdk.testkit.contract.Checks.fail;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.NoSettings;
import io.assay.sdk.Stage;
import io.assay.sdk.StageContext;
import io.assay.sdk.curation.DatasetWriter;
import io.assay.sdk.curation.RecordSource;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.metrics.SimilarityMetric;
import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every stage owes the host, whatever its kind: its declaration ({@link Component} with a kebab-case name, a
 * description and a settings record; a PF4J {@code @Extension}; exactly one stage interface; a constructor the host
 * can inject) and its life cycle ({@link Stage#close()} idempotent, use after close refused with
 * {@link ErrorCode#CLOSED}).
 *
 * <p>Implemented through the stage-specific contracts ({@link SchedulerContract}, {@link GuidanceContract} …), which
 * supply {@link #use}; a test class implements one of those and provides {@link #create()}.
 *
 * @param <S> the stage interface
 */
public interface StageContract<S extends Stage> {

    /** The stage interfaces a component may implement (the host's list; the last three since SDK 1.1). */
    List<Class<? extends Stage>> STAGES = List.of(TextEncoder.class, Denoiser.class, Scheduler.class,
            Guidance.class, NoiseSource.class, Autoencoder.class, ScraperFilter.class, RecordSource.class,
            DatasetWriter.class, SimilarityMetric.class);

    /** A fresh instance built from the fixture's settings; the contract closes it. */
    S create();

    /** One ordinary use of the stage (each stage contract defines it); after close it must throw CLOSED. */
    void use(S stage);

    /** Closing twice is fine: the second call does nothing. */
    @Test
    default void closeIsIdempotent() {
        S stage = create();
        String who = describe(stage);
        use(stage);
        Checks.succeeds(who, "the first close()", () -> {
            stage.close();
            return null;
        });
        Checks.succeeds(who, "a second close() (close must be idempotent)", () -> {
            stage.close();
            return null;
        });
    }

    /** A closed stage refuses to be used with {@code StageException(CLOSED)}, having worked before close. */
    @Test
    default void useAfterCloseThrowsClosed() {
        S stage = create();
        String who = describe(stage);
        Checks.succeeds(who, "using the stage before close()", () -> {
            use(stage);
            return null;
        });
        stage.close();
        Checks.refused(who, "using the stage after close()", ErrorCode.CLOSED, () -> use(stage));
    }

    /** {@code @Component} (kebab-case name, description, record settings), {@code @Extension}, one stage. */
    @Test
    default void declaresItsComponent() {
        S stage = create();
        try {
            Class<?> c = stage.getClass();
            Component comp = c.getAnnotation(Component.class);
            if (comp == null) {
                throw fail("class " + c.getName() + ": expected an @io.assay.sdk.Component annotation (it gives the "
                        + "component its name and settings), but it has none");
            }
            check(Checks.KEBAB.matcher(comp.name()).matches(), describe(c) + ": expected a kebab-case name "
                    + "([a-z][a-z0-9]*(-[a-z0-9]+)*), but it is '" + comp.name() + "'");
            check(!comp.description().isBlank(), describe(c) + ": expected a one-line description in @Component, "
                    + "but it is empty");
            check(comp.settings().isRecord(), describe(c) + ": expected @Component(settings = …) to name a record "
                    + "(or NoSettings), but it names " + comp.settings().getName());
            for (String alias : comp.aliases()) {
                check(Checks.KEBAB.matcher(alias).matches() && !alias.equals(comp.name()), describe(c)
                        + ": expected every alias kebab-case and different from the name, but found '" + alias + "'");
            }
            check(c.isAnnotationPresent(org.pf4j.Extension.class), describe(c) + ": expected @org.pf4j.Extension "
                    + "(without it PF4J's annotation processor leaves the class out of META-INF/extensions.idx and "
                    + "the host never sees it), but it is missing");
            List<String> stages = new ArrayList<>();
            for (Class<? extends Stage> s : STAGES) {
                if (s.isAssignableFrom(c)) {
                    stages.add(s.getSimpleName());
                }
            }
            check(stages.size() == 1, describe(c) + ": expected exactly one stage interface, but it implements "
                    + stages);
        } finally {
            stage.close();
        }
    }

    /**
     * The host builds the component with Guice: one {@code @Inject} constructor (or a public no-argument one) whose
     * parameters are the declared settings record, {@link StageContext} or host-provided SDK types.
     */
    @Test
    default void hasAnInjectableConstructor() {
        S stage = create();
        try {
            Class<?> c = stage.getClass();
            Class<? extends Record> settings = c.isAnnotationPresent(Component.class)
                    ? c.getAnnotation(Component.class).settings() : NoSettings.class;
            check(Modifier.isPublic(c.getModifiers()) && !Modifier.isAbstract(c.getModifiers()), describe(c)
                    + ": expected a public concrete class, but its modifiers are " + Modifier.toString(c.getModifiers()));
            List<Constructor<?>> injected = new ArrayList<>();
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                for (Annotation a : k.getAnnotations()) {
                    if (Set.of("jakarta.inject.Inject", "javax.inject.Inject", "com.google.inject.Inject")
                            .contains(a.annotationType().getName())) {
                        injected.add(k);
                    }
                }
            }
            Constructor<?> k;
            if (injected.isEmpty()) {
                Constructor<?>[] pub = c.getConstructors();
                if (pub.length == 1 && pub[0].getParameterCount() == 0) {
                    k = pub[0];
                } else {
                    throw fail(describe(c) + ": expected one constructor annotated @jakarta.inject.Inject (or a sole "
                            + "public no-argument constructor), but found none annotated among "
                            + Arrays.toString(c.getDeclaredConstructors()));
                }
            } else if (injected.size() > 1) {
                throw fail(describe(c) + ": expected one @Inject constructor, but found " + injected);
            } else {
                k = injected.get(0);
            }
            check(Modifier.isPublic(k.getModifiers()), describe(c) + ": expected the injected constructor to be "
                    + "public, but it is " + k);
            boolean takesSettings = false;
            for (Class<?> p : k.getParameterTypes()) {
                if (p == settings && settings != NoSettings.class) {
                    takesSettings = true;
                } else if (p != StageContext.class && !p.getName().startsWith("io.assay.sdk.")) {
                    throw fail(describe(c) + ": expected constructor parameters among the settings record "
                            + settings.getSimpleName() + ", StageContext and host-provided io.assay.sdk types, but "
                            + "it takes " + p.getName() + ", which the host cannot inject");
                }
            }
            check(settings == NoSettings.class || takesSettings, describe(c) + ": declares settings "
                    + settings.getSimpleName() + ", so expected the constructor to take them, but it takes "
                    + Arrays.toString(k.getParameterTypes()));
        } finally {
            stage.close();
        }
    }
}
