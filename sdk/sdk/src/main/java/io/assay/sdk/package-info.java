/**
 * The Assay SDK (version 1.2, {@link io.assay.sdk.SdkVersion}): what a plugin author compiles against, and nothing
 * more.
 *
 * <p>A <b>stage</b> is one of the decisions a latent-diffusion pipeline, or the curation that chose its training data,
 * is made of (text encoder, denoiser, scheduler, guidance, noise source, autoencoder; record source, scraper filter,
 * dataset writer; similarity metric). Each stage is an interface extending {@link io.assay.sdk.Stage}; an
 * implementation is a PF4J {@code @Extension} in a plugin, annotated with {@link io.assay.sdk.Component} to give it the
 * name a pipeline file selects it by and the record type of its typed settings ({@link io.assay.sdk.Setting}). The
 * host builds one instance per configured component, injecting (through an {@code @jakarta.inject.Inject} or sole
 * public constructor) the parsed settings record and a {@link io.assay.sdk.StageContext} that carries the run's trace
 * sink, cancellation and, since 1.1, the model's configuration ({@link io.assay.sdk.ModelConfig}).
 *
 * <p>Since 1.1 the host fills a setting declaring {@link io.assay.sdk.Setting#diffusersKey()} from the model's
 * configuration when the pipeline leaves it unset, and checks every component's declaration when it loads the plugin.
 * Since 1.2 a component that shares a settings record with others names the keys it accepts
 * ({@link io.assay.sdk.Component#keys()}), and a stateful scraper filter may declare keys that let a distributed engine
 * stay exact ({@link io.assay.sdk.curation.KeyedFilter}). Each version only adds to the one before: a 1.0 or 1.1 plugin
 * loads and behaves as before.
 *
 * <p>Packages: {@code io.assay.sdk} (stage basics, settings, model configuration, errors), {@code io.assay.sdk.tensor}
 * (tensors, images, {@code .npy} files), {@code io.assay.sdk.diffusion} (the generation stages),
 * {@code io.assay.sdk.curation} (record sources, scraper filters, dataset writers), {@code io.assay.sdk.metrics}
 * (similarity metrics). Everything under {@code io.assay.sdk.} is loaded once by the host and shared with every
 * plugin, so a plugin must never bundle a copy of it.
 */
package io.assay.sdk;
