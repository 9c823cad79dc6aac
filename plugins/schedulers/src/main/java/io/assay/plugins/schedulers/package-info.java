/**
 * Diffusers v0.23.1-compatible schedulers in pure Java: {@code ddim}, {@code pndm}, {@code lms}, {@code euler},
 * {@code euler-ancestral}, {@code heun}, {@code dpmpp-2m}, {@code dpmpp-2m-karras} and {@code lcm}.
 *
 * <p>Every component takes {@link io.assay.plugins.schedulers.SchedulerSettings}, resolved against an optional
 * diffusers {@code scheduler_config.json} into a {@link io.assay.plugins.schedulers.SchedulerConfig}.
 * {@link io.assay.plugins.schedulers.AbstractDiffusersScheduler} holds the shared noise schedule, timestep spacing
 * and per-run bookkeeping; {@link io.assay.plugins.schedulers.AbstractSigmaScheduler} adds the σ-table machinery of
 * the k-diffusion samplers (LMS, Euler, Euler-a, Heun). The arithmetic is float32 in diffusers' operation order and
 * is tested against trajectories recorded with diffusers itself.
 */
package io.assay.plugins.schedulers;
