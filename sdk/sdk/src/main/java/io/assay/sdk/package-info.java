/**
 * The Assay SDK: what a plugin author compiles against, and nothing more.
 *
 * <p>A <b>stage</b> is one of the decisions a latent-diffusion pipeline is made of (text encoder, denoiser,
 * scheduler, guidance, noise source, autoencoder, scraper filter). Each stage is an interface extending
 * {@link io.assay.sdk.Stage}; an implementation is a PF4J {@code @Extension} in a plugin, annotated with
 * {@link io.assay.sdk.Component} to give it the name a pipeline file selects it by and the record type of its
 * typed settings. The host builds one instance per configured component, injecting (through an
 * {@code @jakarta.inject.Inject} or sole public constructor) the parsed settings record and a
 * {@link io.assay.sdk.StageContext} that carries the run's trace sink and cancellation.
 *
 * <p>Packages: {@code io.assay.sdk} (stage basics, settings, errors), {@code io.assay.sdk.tensor} (tensors,
 * images, {@code .npy} files), {@code io.assay.sdk.diffusion} (the generation stages),
 * {@code io.assay.sdk.curation} (the scraper-filter stage). Everything under {@code io.assay.sdk.} is loaded
 * once by the host and shared with every plugin, so a plugin must never bundle a copy of it.
 */
package io.assay.sdk;
