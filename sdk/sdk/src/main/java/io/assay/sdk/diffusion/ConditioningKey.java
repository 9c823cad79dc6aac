package io.assay.sdk.diffusion;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Names one conditioning of a guidance run: the text a block of denoiser batch rows is conditioned on (since SDK
 * 1.1). {@link #UNCOND} and {@link #COND} are the two conditionings of SDK 1.0 ({@link ConditioningKind}); a guidance
 * that combines more predictions (composable prompts, Perp-Neg) names the others itself, e.g. {@code cond-1} or
 * {@code neg-0}. Keys are compared by name.
 *
 * @param name lowercase kebab-case, e.g. {@code uncond}, {@code cond}, {@code neg-0}
 */
public record ConditioningKey(String name) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    /** The unconditional prediction's key (SDK 1.0's {@link ConditioningKind#UNCOND}). */
    public static final ConditioningKey UNCOND = new ConditioningKey("uncond");

    /** The prompt's prediction's key (SDK 1.0's {@link ConditioningKind#COND}). */
    public static final ConditioningKey COND = new ConditioningKey("cond");

    /** Validates the name. */
    public ConditioningKey {
        requireNonNull(name, "name is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a conditioning key must be kebab-case ([a-z][a-z0-9]*(-[a-z0-9]+)*), "
                    + "got '" + name + "'");
        }
    }

    /** The key of an SDK 1.0 kind: {@link #UNCOND} or {@link #COND}. */
    public static ConditioningKey of(ConditioningKind kind) {
        return requireNonNull(kind, "kind is null") == ConditioningKind.COND ? COND : UNCOND;
    }

    /** The SDK 1.0 kind this key stands for, if it is {@link #UNCOND} or {@link #COND}. */
    public Optional<ConditioningKind> kind() {
        return equals(COND) ? Optional.of(ConditioningKind.COND)
                : equals(UNCOND) ? Optional.of(ConditioningKind.UNCOND) : Optional.empty();
    }

    @Override
    public String toString() {
        return name;
    }
}
