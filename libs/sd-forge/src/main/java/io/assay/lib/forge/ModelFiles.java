package io.assay.lib.forge;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The JSON and text files of a model directory, with the keys diffusers and transformers write (sorted, two-space
 * indent, as diffusers' {@code save_config}); every file written atomically (temporary file, then move).
 */
final class ModelFiles {

    static final String DIFFUSERS_VERSION = "0.23.1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));

    private ModelFiles() {
    }

    /**
     * model_index.json and scheduler/scheduler_config.json; {@code attentionSlices} above 1 is recorded in
     * {@code _assay_forge} (at 1 the file is what it was before the option existed).
     */
    static void writePipeline(Preset preset, long seed, Dtype dtype, int attentionSlices, Path dir)
            throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("_class_name", "StableDiffusionPipeline");
        index.put("_diffusers_version", DIFFUSERS_VERSION);
        ObjectNode forge = index.putObject("_assay_forge");
        forge.put("preset", preset.label());
        forge.put("seed", seed);
        forge.put("dtype", dtype.label());
        if (attentionSlices > 1) {
            forge.put("attention_slices", attentionSlices);
        }
        forge.put("note", "random weights with the real architecture, written by Assay's forge");
        index.putArray("feature_extractor").addNull().addNull();
        index.put("requires_safety_checker", false);
        index.putArray("safety_checker").addNull().addNull();
        index.putArray("scheduler").add("diffusers").add(preset.vPrediction() ? "DDIMScheduler" : "PNDMScheduler");
        index.putArray("text_encoder").add("transformers").add("CLIPTextModel");
        index.putArray("tokenizer").add("transformers").add("CLIPTokenizer");
        index.putArray("unet").add("diffusers").add("UNet2DConditionModel");
        index.putArray("vae").add("diffusers").add("AutoencoderKL");
        writeJson(index, dir.resolve("model_index.json"));

        // SD 1.5's PNDMScheduler config; SD 2.1's DDIMScheduler with v-prediction.
        ObjectNode s = JSON.createObjectNode();
        s.put("_class_name", preset.vPrediction() ? "DDIMScheduler" : "PNDMScheduler");
        s.put("_diffusers_version", DIFFUSERS_VERSION);
        s.put("beta_end", 0.012);
        s.put("beta_schedule", "scaled_linear");
        s.put("beta_start", 0.00085);
        s.put("clip_sample", false);
        s.put("num_train_timesteps", 1000);
        s.put("prediction_type", preset.vPrediction() ? "v_prediction" : "epsilon");
        s.put("set_alpha_to_one", false);
        s.put("skip_prk_steps", true);
        s.put("steps_offset", 1);
        s.put("timestep_spacing", "leading");
        s.putNull("trained_betas");
        writeJson(s, Files.createDirectories(dir.resolve("scheduler")).resolve("scheduler_config.json"));
    }

    /** {@code <folder>/config.json} for one model. */
    static void writeConfig(Preset preset, Dtype dtype, String folder, Path dir) throws IOException {
        ObjectNode c = switch (folder) {
            case "text_encoder" -> textConfig(preset.text(), dtype);
            case "unet" -> unetConfig(preset.unet());
            case "vae_encoder", "vae_decoder" -> vaeConfig(preset.vae());
            default -> throw new IllegalArgumentException("no config for model folder '" + folder + "'");
        };
        writeJson(c, dir.resolve("config.json"));
    }

    private static ObjectNode textConfig(TextSpec t, Dtype dtype) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("CLIPTextModel");
        c.put("attention_dropout", 0.0);
        c.put("bos_token_id", 0);
        c.put("dropout", 0.0);
        c.put("eos_token_id", 2);
        c.put("hidden_act", t.quickGelu() ? "quick_gelu" : "gelu");
        c.put("hidden_size", t.width());
        c.put("initializer_factor", 1.0);
        c.put("initializer_range", 0.02);
        c.put("intermediate_size", t.mlp());
        c.put("layer_norm_eps", 1e-5);
        c.put("max_position_embeddings", TextSpec.POSITIONS);
        c.put("model_type", "clip_text_model");
        c.put("num_attention_heads", t.heads());
        c.put("num_hidden_layers", t.layers());
        c.put("pad_token_id", 1);
        c.put("projection_dim", t.quickGelu() ? t.width() : 512);
        c.put("torch_dtype", dtype.torchDtype());
        c.put("vocab_size", TextSpec.VOCAB);
        return c;
    }

    private static ObjectNode unetConfig(UnetSpec u) {
        int n = u.blockOut().length;
        ObjectNode c = diffusersConfig("UNet2DConditionModel", u.blockOut());
        c.putNull("addition_embed_type");
        c.put("addition_embed_type_num_heads", 64);
        c.putNull("addition_time_embed_dim");
        int[] heads = u.heads();
        if (java.util.Arrays.stream(heads).distinct().count() == 1) {
            c.put("attention_head_dim", heads[0]);
        } else {
            java.util.Arrays.stream(heads).forEach(c.putArray("attention_head_dim")::add);
        }
        c.put("attention_type", "default");
        c.put("center_input_sample", false);
        c.putNull("class_embed_type");
        c.put("class_embeddings_concat", false);
        c.put("conv_in_kernel", 3);
        c.put("conv_out_kernel", 3);
        c.put("cross_attention_dim", u.crossAttention());
        c.putNull("cross_attention_norm");
        ArrayNode down = c.putArray("down_block_types");
        ArrayNode up = c.putArray("up_block_types");
        for (int i = 0; i < n; i++) {
            down.add(u.downAttention(i) ? "CrossAttnDownBlock2D" : "DownBlock2D");
            up.add(u.upAttention(i) ? "CrossAttnUpBlock2D" : "UpBlock2D");
        }
        c.put("downsample_padding", 1);
        c.put("dropout", 0.0);
        c.put("dual_cross_attention", false);
        c.putNull("encoder_hid_dim");
        c.putNull("encoder_hid_dim_type");
        c.put("flip_sin_to_cos", true);
        c.put("freq_shift", 0);
        c.put("in_channels", UnetSpec.CHANNELS);
        c.put("layers_per_block", u.layersPerBlock());
        c.putNull("mid_block_only_cross_attention");
        c.put("mid_block_scale_factor", 1);
        c.put("mid_block_type", "UNetMidBlock2DCrossAttn");
        c.put("norm_eps", 1e-5);
        c.put("norm_num_groups", UnetSpec.GROUPS);
        c.putNull("num_attention_heads");
        c.putNull("num_class_embeds");
        c.put("only_cross_attention", false);
        c.put("out_channels", UnetSpec.CHANNELS);
        c.putNull("projection_class_embeddings_input_dim");
        c.put("resnet_out_scale_factor", 1.0);
        c.put("resnet_skip_time_act", false);
        c.put("resnet_time_scale_shift", "default");
        c.putNull("reverse_transformer_layers_per_block");
        c.put("sample_size", u.sampleSize());
        c.putNull("time_cond_proj_dim");
        c.putNull("time_embedding_act_fn");
        c.putNull("time_embedding_dim");
        c.put("time_embedding_type", "positional");
        c.putNull("timestep_post_act");
        c.put("transformer_layers_per_block", 1);
        c.put("upcast_attention", u.linearProjection());
        c.put("use_linear_projection", u.linearProjection());
        return c;
    }

    private static ObjectNode vaeConfig(VaeSpec v) {
        int n = v.blockOut().length;
        ObjectNode c = diffusersConfig("AutoencoderKL", v.blockOut());
        ArrayNode down = c.putArray("down_block_types");
        ArrayNode up = c.putArray("up_block_types");
        for (int i = 0; i < n; i++) {
            down.add("DownEncoderBlock2D");
            up.add("UpDecoderBlock2D");
        }
        c.put("force_upcast", true);
        c.put("in_channels", 3);
        c.put("latent_channels", VaeSpec.LATENT);
        c.put("layers_per_block", v.layersPerBlock());
        c.put("norm_num_groups", VaeSpec.GROUPS);
        c.put("out_channels", 3);
        c.put("sample_size", v.sampleSize());
        c.put("scaling_factor", v.scalingFactor());
        return c;
    }

    /** A diffusers model config's common keys: class, version, SiLU, {@code block_out_channels}. */
    private static ObjectNode diffusersConfig(String className, int[] blockOut) {
        ObjectNode c = JSON.createObjectNode();
        c.put("_class_name", className);
        c.put("_diffusers_version", DIFFUSERS_VERSION);
        c.put("act_fn", "silu");
        java.util.Arrays.stream(blockOut).forEach(c.putArray("block_out_channels")::add);
        return c;
    }

    /** vocab.json, merges.txt, special_tokens_map.json, tokenizer_config.json (CLIPTokenizer's files). */
    static void writeTokenizer(ClipVocabulary v, String padToken, Path dir) throws IOException {
        write(dir.resolve("vocab.json"), JSON.writeValueAsBytes(v.vocab()));
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (String m : v.merges()) {
            merges.append(m).append('\n');
        }
        write(dir.resolve("merges.txt"), merges.toString().getBytes(StandardCharsets.UTF_8));
        ObjectNode special = JSON.createObjectNode();
        special.set("bos_token", token(ClipVocabulary.BOS));
        special.set("eos_token", token(ClipVocabulary.EOS));
        special.put("pad_token", padToken);
        special.set("unk_token", token(ClipVocabulary.EOS));
        writeJson(special, dir.resolve("special_tokens_map.json"));
        ObjectNode config = JSON.createObjectNode();
        config.put("add_prefix_space", false);
        config.set("bos_token", token(ClipVocabulary.BOS));
        config.put("do_lower_case", true);
        config.set("eos_token", token(ClipVocabulary.EOS));
        config.put("errors", "replace");
        config.put("model_max_length", TextSpec.POSITIONS);
        config.put("name_or_path", "assay-forge/generated-clip-bpe");
        config.put("pad_token", padToken);
        config.put("tokenizer_class", "CLIPTokenizer");
        config.set("unk_token", token(ClipVocabulary.EOS));
        writeJson(config, dir.resolve("tokenizer_config.json"));
    }

    /** Copies a tokenizer folder's CLIPTokenizer files (vocab.json and merges.txt required, the others if present). */
    static void copyTokenizer(Path from, Path to) throws IOException {
        for (String name : new String[] {"vocab.json", "merges.txt", "special_tokens_map.json",
            "tokenizer_config.json"}) {
            Path src = from.resolve(name);
            if (Files.isRegularFile(src)) {
                write(to.resolve(name), Files.readAllBytes(src));
            }
        }
    }

    private static ObjectNode token(String content) {
        ObjectNode t = JSON.createObjectNode();
        t.put("content", content);
        t.put("lstrip", false);
        t.put("normalized", true);
        t.put("rstrip", false);
        t.put("single_word", false);
        return t;
    }

    private static void writeJson(Object value, Path file) throws IOException {
        Object sorted = JSON.convertValue(value, Map.class);
        write(file, JSON.writer(PRETTY).with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsBytes(sorted));
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
