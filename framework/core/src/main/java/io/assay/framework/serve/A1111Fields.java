package io.assay.framework.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Which fields of AUTOMATIC1111's {@code txt2img} / {@code img2img} request bodies this server accepts. Three kinds:
 * <ul>
 * <li>fields it acts on (prompt, seed, sampler, size, batch, iterations, steps, CFG scale, strength, init images,
 * {@code send_images}, {@code override_settings});</li>
 * <li>fields A1111 clients send with their defaults (e.g. {@code "restore_faces": false}, {@code "styles": []}):
 * accepted when they ask for nothing this server would have to do, refused (400, naming the field and the value
 * it accepts) when they ask for a feature it does not have, so a request never silently loses part of what it
 * asked;</li>
 * <li>anything else — a typo, an assay setting such as {@code "guidance.scale"} — refused (400) with the place such
 * settings go ({@code override_settings}).</li>
 * </ul>
 */
final class A1111Fields {

    private A1111Fields() {
    }

    /** Fields both routes act on. */
    static final Set<String> USED = Set.of("prompt", "negative_prompt", "seed", "sampler_name", "sampler_index",
            "batch_size", "n_iter", "steps", "cfg_scale", "width", "height", "denoising_strength",
            "override_settings", "send_images", "eta");
    /** Fields only img2img acts on. */
    static final Set<String> USED_IMG2IMG = Set.of("init_images");

    private static Predicate<JsonNode> nullOr(Predicate<JsonNode> p) {
        return v -> v == null || v.isNull() || p.test(v);
    }

    private static final Predicate<JsonNode> ANY = v -> true;
    private static final Predicate<JsonNode> FALSE = nullOr(v -> v.isBoolean() && !v.booleanValue());
    private static final Predicate<JsonNode> BOOLEAN = nullOr(JsonNode::isBoolean);
    private static final Predicate<JsonNode> EMPTY = nullOr(v -> (v.isArray() || v.isObject()) && v.isEmpty()
            || v.isTextual() && v.textValue().isEmpty());
    private static final Predicate<JsonNode> ZERO = nullOr(v -> v.isNumber() && v.doubleValue() == 0);
    private static final Predicate<JsonNode> ONE = nullOr(v -> v.isNumber() && v.doubleValue() == 1);
    private static final Predicate<JsonNode> NO_SIZE = nullOr(v -> v.isNumber() && (v.doubleValue() == -1
            || v.doubleValue() == 0));
    private static final Predicate<JsonNode> NONE = nullOr(v -> false);

    /** {@code alwayson_scripts} asking nothing: {@code {}}, or each script given {@code "args": []}. */
    private static boolean noScriptArgs(JsonNode v) {
        if (!v.isObject()) {
            return false;
        }
        for (JsonNode script : v) {
            JsonNode args = script.get("args");
            if (!script.isObject() || script.size() != 1 || args == null || !args.isArray() || !args.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** A1111 fields accepted when they ask for nothing: field → (accepted values, what the message says). */
    private record Rule(Predicate<JsonNode> accepts, String accepted) {
    }

    private static final Map<String, Rule> DEFAULTED = Map.ofEntries(
            Map.entry("styles", new Rule(EMPTY, "[] (styles are not supported)")),
            Map.entry("subseed", new Rule(ANY, "any value while subseed_strength is 0")),
            Map.entry("subseed_strength", new Rule(ZERO, "0 (variation seeds are not supported)")),
            Map.entry("seed_resize_from_h", new Rule(NO_SIZE, "-1 or 0")),
            Map.entry("seed_resize_from_w", new Rule(NO_SIZE, "-1 or 0")),
            Map.entry("restore_faces", new Rule(FALSE, "false (face restoration is not supported)")),
            Map.entry("tiling", new Rule(FALSE, "false (tiling is not supported)")),
            Map.entry("do_not_save_samples", new Rule(BOOLEAN, "a boolean (this server never saves samples)")),
            Map.entry("do_not_save_grid", new Rule(BOOLEAN, "a boolean (this server never saves grids)")),
            Map.entry("save_images", new Rule(FALSE, "false (this server never saves images)")),
            Map.entry("s_min_uncond", new Rule(ZERO, "0")),
            Map.entry("s_churn", new Rule(ZERO, "0")),
            Map.entry("s_tmax", new Rule(ZERO, "0 or null")),
            Map.entry("s_tmin", new Rule(ZERO, "0")),
            Map.entry("s_noise", new Rule(ONE, "1")),
            Map.entry("override_settings_restore_afterwards", new Rule(BOOLEAN, "a boolean (overrides here apply "
                    + "to this request only)")),
            Map.entry("refiner_checkpoint", new Rule(EMPTY, "null or \"\" (refiners are not supported)")),
            Map.entry("refiner_switch_at", new Rule(ZERO, "0 or null")),
            Map.entry("disable_extra_networks", new Rule(BOOLEAN, "a boolean")),
            Map.entry("comments", new Rule(EMPTY, "null or {}")),
            Map.entry("enable_hr", new Rule(FALSE, "false (hires fix is not supported)")),
            Map.entry("firstphase_width", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("firstphase_height", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("hr_scale", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("hr_upscaler", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("hr_second_pass_steps", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("hr_resize_x", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("hr_resize_y", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("hr_checkpoint_name", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("hr_sampler_name", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("hr_scheduler", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("hr_prompt", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("hr_negative_prompt", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("hr_additional_modules", new Rule(ANY, "any value while enable_hr is false")),
            Map.entry("scheduler", new Rule(nullOr(v -> v.isTextual() && (v.textValue().isEmpty()
                    || v.textValue().equalsIgnoreCase("automatic"))), "\"Automatic\" (the sampler's own "
                    + "schedule; choose the sampler with sampler_name)")),
            Map.entry("script_name", new Rule(EMPTY, "null or \"\" (scripts are not supported)")),
            Map.entry("script_args", new Rule(EMPTY, "[] (scripts are not supported)")),
            Map.entry("alwayson_scripts", new Rule(nullOr(A1111Fields::noScriptArgs), "{} or scripts with empty "
                    + "args, e.g. {\"ControlNet\": {\"args\": []}} (scripts are not supported)")),
            Map.entry("infotext", new Rule(NONE, "null")),
            Map.entry("force_task_id", new Rule(nullOr(JsonNode::isTextual), "a string (ignored)")),
            Map.entry("firstpass_image", new Rule(NONE, "null")),
            Map.entry("use_deprecated_controlnet", new Rule(FALSE, "false (ControlNet is not supported)")),
            // img2img
            Map.entry("resize_mode", new Rule(ZERO, "0 (just resize)")),
            Map.entry("image_cfg_scale", new Rule(NONE, "null")),
            Map.entry("mask", new Rule(NONE, "null (inpainting is not supported)")),
            Map.entry("mask_blur", new Rule(ANY, "any value without a mask")),
            Map.entry("mask_blur_x", new Rule(ANY, "any value without a mask")),
            Map.entry("mask_blur_y", new Rule(ANY, "any value without a mask")),
            Map.entry("mask_round", new Rule(ANY, "any value without a mask")),
            Map.entry("inpainting_fill", new Rule(ANY, "any value without a mask")),
            Map.entry("inpaint_full_res", new Rule(ANY, "any value without a mask")),
            Map.entry("inpaint_full_res_padding", new Rule(ANY, "any value without a mask")),
            Map.entry("inpainting_mask_invert", new Rule(ANY, "any value without a mask")),
            Map.entry("initial_noise_multiplier", new Rule(ONE, "1")),
            Map.entry("latent_mask", new Rule(NONE, "null")),
            Map.entry("include_init_images", new Rule(FALSE, "false")));

    /** The A1111 options {@code override_settings} may hold besides assay settings (see {@link #check}). */
    static final Set<String> OPTIONS = Set.of("sd_model_checkpoint", "samples_format", "CLIP_stop_at_last_layers",
            "eta_noise_seed_delta");

    /**
     * Refuses (IllegalArgumentException, 400) a field this route does not know or one whose value asks for what this
     * server cannot do, naming the field.
     */
    static void check(JsonNode body, boolean img2img) {
        String route = img2img ? "img2img" : "txt2img";
        for (Iterator<String> it = body.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (USED.contains(f) || img2img && USED_IMG2IMG.contains(f)) {
                continue;
            }
            Rule r = DEFAULTED.get(f);
            if (r == null) {
                Set<String> known = new TreeSet<>(USED);
                if (img2img) {
                    known.addAll(USED_IMG2IMG);
                }
                throw new IllegalArgumentException("unknown field '" + f + "' for /sdapi/v1/" + route
                        + (f.contains(".") ? "; an assay setting goes under \"override_settings\": {\"" + f
                        + "\": …} (see docs/http-api.md)" : "") + "; fields acted on: " + known);
            }
            JsonNode v = body.get(f);
            if (!r.accepts().test(v)) {
                throw new IllegalArgumentException("field '" + f + "' = " + shown(v) + " is not supported by "
                        + "this server; accepted: " + r.accepted());
            }
        }
    }

    /**
     * Splits {@code override_settings} into A1111 options (checked here: only values this server already has) and
     * assay settings (dotted keys, returned for {@link RequestPolicy#overrides}).
     *
     * @param modelNames the names the served model answers to ({@code sd_model_checkpoint})
     */
    static Map<String, Object> overrides(JsonNode settings, List<String> modelNames) {
        Map<String, Object> assay = new java.util.LinkedHashMap<>();
        if (settings == null || settings.isNull()) {
            return assay;
        }
        if (!settings.isObject()) {
            throw new IllegalArgumentException("field 'override_settings' must be an object, found " + shown(settings));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = settings.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            String where = "override_settings." + k;
            switch (k) {
                case "sd_model_checkpoint" -> {
                    if (!v.isTextual() || !modelNames.contains(v.textValue())) {
                        throw new IllegalArgumentException(where + " = " + shown(v) + ": this server runs one model "
                                + modelNames + "; start another with --model DIR to serve another");
                    }
                }
                case "samples_format" -> {
                    if (!v.isTextual() || !v.textValue().equalsIgnoreCase("png")) {
                        throw new IllegalArgumentException(where + " = " + shown(v) + ": this server writes png only");
                    }
                }
                case "CLIP_stop_at_last_layers" -> {
                    if (!v.isNumber() || v.doubleValue() != 1) {
                        throw new IllegalArgumentException(where + " = " + shown(v) + ": only 1 (the last layer) "
                                + "is supported");
                    }
                }
                case "eta_noise_seed_delta" -> {
                    if (!v.isNumber() || v.doubleValue() != 0) {
                        throw new IllegalArgumentException(where + " = " + shown(v) + ": only 0 is supported");
                    }
                }
                default -> {
                    if (!k.contains(".")) {
                        throw new IllegalArgumentException("unknown key '" + where + "': A1111 options accepted "
                                + "here are " + new TreeSet<>(OPTIONS) + ", and assay settings by their dotted path "
                                + "(e.g. \"guidance.scale\", \"scheduler.eta\")");
                    }
                    assay.put(k, new com.fasterxml.jackson.databind.ObjectMapper().convertValue(v, Object.class));
                }
            }
        }
        return assay;
    }

    private static String shown(JsonNode v) {
        String s = v == null ? "null" : v.toString();
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }
}
