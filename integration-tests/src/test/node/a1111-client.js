// Drives `assay serve` with stable-diffusion-api, a published AUTOMATIC1111 API client (not written by this project),
// and prints what it received as one JSON object for ServeA1111ClientIT to check.
//   node a1111-client.js http://127.0.0.1:PORT TOKEN
"use strict";
const crypto = require("crypto");
const StableDiffusionApi = require("stable-diffusion-api").default;

async function main() {
  const [baseUrl, token] = process.argv.slice(2);
  const api = new StableDiffusionApi({ baseUrl, defaultSampler: "Euler", defaultStepCount: 6, timeout: 600000 });
  // The server wants its per-start token on every POST; the client's axios instance carries it.
  api.api.defaults.headers.common["X-Assay-Token"] = token;

  const samplers = await api.getSamplers();
  const model = await api.getCurrentModel();
  // The client's own defaults go with it: eta 1.0, enable_hr false, restore_faces false, alwayson_scripts, …
  const result = await api.txt2img({
    prompt: "a red circle on a blue background",
    seed: 11,
    batch_size: 2,
    n_iter: 1,
    width: 64,
    height: 64,
    cfg_scale: 5,
  });
  const info = JSON.parse(result.info);
  const images = [];
  for (const image of result.images) {
    const { data, info: meta } = await image.raw().toBuffer({ resolveWithObject: true });
    images.push({
      width: meta.width,
      height: meta.height,
      channels: meta.channels,
      rgbSha256: crypto.createHash("sha256").update(data).digest("hex"),
    });
  }
  let refused = null;
  try {
    await api.txt2img({ prompt: "x", restore_faces: true, width: 64, height: 64 });
  } catch (e) {
    refused = { status: e.response ? e.response.status : null, body: e.response ? e.response.data : String(e) };
  }
  console.log(JSON.stringify({
    samplers: samplers.map((s) => s.name),
    model,
    seeds: info.all_seeds,
    sampler: info.sampler_name,
    cfgScale: info.cfg_scale,
    steps: info.steps,
    sentParameters: Object.keys(result.parameters).sort(),
    images,
    refused,
  }));
}

main().catch((e) => {
  console.error(e && e.response ? JSON.stringify(e.response.data) : e);
  process.exit(1);
});
