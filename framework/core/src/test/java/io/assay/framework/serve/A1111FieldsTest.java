package io.assay.framework.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which A1111 request fields are acted on, accepted at their defaults, or refused. */
class A1111FieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    /**
     * The body the A1111 web UI's own API docs show for txt2img (its request model's defaults, abridged): every field
     * at its default is accepted.
     */
    @Test
    void aDefaultA1111BodyIsAccepted() throws Exception {
        A1111Fields.check(json("""
                {"prompt": "", "negative_prompt": "", "styles": [], "seed": -1, "subseed": -1,
                 "subseed_strength": 0, "seed_resize_from_h": -1, "seed_resize_from_w": -1, "sampler_name": "Euler a",
                 "scheduler": "Automatic", "batch_size": 1, "n_iter": 1, "steps": 50, "cfg_scale": 7, "width": 512,
                 "height": 512, "restore_faces": null, "tiling": null, "do_not_save_samples": false,
                 "do_not_save_grid": false, "eta": null, "denoising_strength": 0, "s_min_uncond": 0, "s_churn": 0,
                 "s_tmax": null, "s_tmin": 0, "s_noise": 1, "override_settings": {},
                 "override_settings_restore_afterwards": true, "refiner_checkpoint": "", "refiner_switch_at": 0,
                 "disable_extra_networks": false, "comments": {}, "enable_hr": false, "firstphase_width": 0,
                 "firstphase_height": 0, "hr_scale": 2, "hr_upscaler": "Latent", "hr_second_pass_steps": 0,
                 "hr_resize_x": 0, "hr_resize_y": 0, "hr_checkpoint_name": "", "hr_sampler_name": "",
                 "hr_prompt": "", "hr_negative_prompt": "", "sampler_index": "Euler", "script_name": "",
                 "script_args": [], "send_images": true, "save_images": false, "alwayson_scripts": {}}
                """), false);
    }

    @Test
    void aFeatureThisServerLacksIsRefusedNamingTheFieldAndWhatItAccepts() {
        for (String[] c : new String[][] {
            {"{\"restore_faces\": true}", "field 'restore_faces' = true is not supported by this server; accepted: false"},
            {"{\"enable_hr\": true}", "field 'enable_hr' = true is not supported"},
            {"{\"subseed_strength\": 0.3}", "field 'subseed_strength' = 0.3"},
            {"{\"styles\": [\"cinematic\"]}", "field 'styles' = [\"cinematic\"]"},
            {"{\"save_images\": true}", "this server never saves images"},
            {"{\"use_deprecated_controlnet\": true}", "ControlNet is not supported"},
            {"{\"alwayson_scripts\": {\"ControlNet\": {\"args\": [{\"module\": \"canny\"}]}}}",
                "field 'alwayson_scripts'"},
            {"{\"scheduler\": \"Karras\"}", "field 'scheduler' = \"Karras\""}}) {
            assertThatThrownBy(() -> A1111Fields.check(json(c[0]), false)).as(c[0])
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(c[1]);
        }
    }

    @Test
    void unknownAndDottedFieldsAreRefusedAndImg2imgFieldsOnlyOnImg2img() throws Exception {
        assertThatThrownBy(() -> A1111Fields.check(json("{\"guidance.scale\": 3}"), false))
                .hasMessageContaining("unknown field 'guidance.scale' for /sdapi/v1/txt2img")
                .hasMessageContaining("\"override_settings\": {\"guidance.scale\": …}");
        assertThatThrownBy(() -> A1111Fields.check(json("{\"cfgscale\": 3}"), false))
                .hasMessageContaining("unknown field 'cfgscale'").hasMessageNotContaining("override_settings\":");
        assertThatThrownBy(() -> A1111Fields.check(json("{\"init_images\": []}"), false))
                .hasMessageContaining("unknown field 'init_images' for /sdapi/v1/txt2img");
        A1111Fields.check(json("{\"init_images\": [], \"resize_mode\": 0, \"mask_blur\": 4}"), true);
        A1111Fields.check(json("{\"alwayson_scripts\": {\"ControlNet\": {\"args\": []}}, \"eta\": 1.0}"), false);
        assertThatThrownBy(() -> A1111Fields.check(json("{\"mask\": \"AAAA\"}"), true))
                .hasMessageContaining("inpainting is not supported");
    }

    @Test
    void overrideSettingsSplitsA1111OptionsFromAssaySettings() throws Exception {
        List<String> model = List.of("embedded", "embedded [abc]");
        Map<String, Object> assay = A1111Fields.overrides(json("{\"sd_model_checkpoint\": \"embedded\", "
                + "\"samples_format\": \"png\", \"CLIP_stop_at_last_layers\": 1, \"guidance.scale\": 3, "
                + "\"scheduler.eta\": 0.25}"), model);
        assertThat(assay).containsExactly(Map.entry("guidance.scale", 3), Map.entry("scheduler.eta", 0.25));
        assertThatThrownBy(() -> A1111Fields.overrides(json("{\"sd_model_checkpoint\": \"v1-5\"}"), model))
                .hasMessageContaining("override_settings.sd_model_checkpoint = \"v1-5\": this server runs one model "
                        + "[embedded, embedded [abc]]");
        assertThatThrownBy(() -> A1111Fields.overrides(json("{\"CLIP_stop_at_last_layers\": 2}"), model))
                .hasMessageContaining("only 1");
        assertThatThrownBy(() -> A1111Fields.overrides(json("{\"img2img_color_correction\": true}"), model))
                .hasMessageContaining("unknown key 'override_settings.img2img_color_correction'");
        assertThat(A1111Fields.overrides(null, model)).isEmpty();
    }
}
