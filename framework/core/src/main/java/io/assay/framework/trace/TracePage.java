package io.assay.framework.trace;

/**
 * {@code trace.html}: one self-contained page over a run's trace (the JSON is embedded, so the page works from a
 * file: URL with nothing beside it but the final image). It shows the image emerging step by step (a slider and a
 * filmstrip of the per-step previews), per-step curves (guidance delta and applied guidance norms, latent spread),
 * what each stage reported (the tokenizer's splits and drops, embedding statistics) and the timings.
 */
final class TracePage {

    private TracePage() {
    }

    static String html(String traceJson) {
        // "</" would end the script element early; JSON allows the escaped form.
        String embedded = traceJson.replace("</", "<\\/");
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>assay trace</title>
                <style>
                body{font-family:sans-serif;margin:24px;max-width:1100px}
                h1{font-size:20px} h2{font-size:16px;margin-top:28px}
                table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:3px 8px;font-size:12px;text-align:right}
                th{background:#f4f4f4} td.l{text-align:left}
                img.px{image-rendering:pixelated} #strip img{width:48px;height:48px;margin:1px;cursor:pointer}
                #strip img.on{outline:2px solid #c33} pre{font-size:11px;background:#f8f8f8;padding:6px;overflow:auto}
                .row{display:flex;gap:24px;align-items:flex-start}
                </style></head><body>
                <h1 id="title"></h1>
                <p id="components"></p>
                <div class="row">
                  <div><div>step <span id="stepNo"></span></div>
                    <img id="preview" class="px" width="256" height="256" alt="predicted clean image at this step">
                    <br><input id="slider" type="range" min="0" value="0" style="width:256px">
                    <div id="stepInfo" style="font-size:12px"></div></div>
                  <div><div>final image</div><img id="final" class="px" width="256" height="256" alt="final image"></div>
                </div>
                <p style="font-size:12px" id="previewOf"></p>
                <div id="strip"></div>
                <h2>Per step</h2>
                <svg id="chart" width="720" height="200" style="background:#fafafa;border:1px solid #ddd"></svg>
                <div style="font-size:12px"><span style="color:#c33">■</span> ‖cond − uncond‖
                  <span style="color:#36c">■</span> applied guidance ‖guided − uncond‖
                  <span style="color:#393">■</span> latent std (scaled to the chart)</div>
                <table id="steps"><thead><tr><th>step</th><th>timestep</th><th>σ</th><th>rows</th>
                  <th>‖c−u‖</th><th>applied</th><th>latent mean</th><th>latent std</th><th>x0 std</th></tr></thead>
                  <tbody></tbody></table>
                <h2>Stages</h2><div id="events"></div>
                <h2>Result and timings</h2><table id="timings"></table>
                <script id="trace" type="application/json">
                """ + embedded + """
                </script>
                <script>
                const T = JSON.parse(document.getElementById('trace').textContent);
                const steps = T.steps || [];
                const fmt = v => v == null ? '' : (typeof v === 'number' ? (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : +v.toFixed(4)) : String(v));
                const esc = s => String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
                const req = T.run.request || {};
                document.getElementById('title').textContent = (req.prompt !== undefined ? '"' + req.prompt + '"' : 'run') + (req.seed !== undefined ? '  seed ' + req.seed : '');
                document.getElementById('components').textContent = Object.entries(T.run.components || {}).map(([k, v]) => k + ': ' + v).join(' · ');
                document.getElementById('previewOf').textContent = 'Previews: ' + (T.run.previewOf || '');
                if (T.run.image) { document.getElementById('final').src = T.run.image; } else { document.getElementById('final').remove(); }
                const slider = document.getElementById('slider');
                slider.max = Math.max(0, steps.length - 1);
                const strip = document.getElementById('strip');
                steps.forEach((s, i) => { const im = document.createElement('img'); im.className = 'px'; im.src = s.preview || ''; im.title = 'step ' + (i + 1); im.onclick = () => show(i); strip.appendChild(im); });
                function show(i) {
                  const s = steps[i]; if (!s) return;
                  slider.value = i;
                  document.getElementById('preview').src = s.preview || '';
                  document.getElementById('stepNo').textContent = (i + 1) + ' / ' + steps.length;
                  document.getElementById('stepInfo').textContent = 't = ' + fmt(s.timestep) + ', σ = ' + fmt(s.sigma) + (s.guidanceDeltaNorm != null ? ', ‖c−u‖ = ' + fmt(s.guidanceDeltaNorm) : '');
                  [...strip.children].forEach((im, k) => im.className = 'px' + (k === i ? ' on' : ''));
                }
                slider.oninput = () => show(+slider.value);
                show(steps.length - 1);
                const tb = document.querySelector('#steps tbody');
                steps.forEach((s, i) => { const tr = document.createElement('tr');
                  [i + 1, s.timestep, s.sigma, s.conditionings, s.guidanceDeltaNorm, s.appliedGuidanceNorm, s.latents && s.latents.mean, s.latents && s.latents.std, s.denoised && s.denoised.std].forEach(v => { const td = document.createElement('td'); td.textContent = fmt(v); tr.appendChild(td); });
                  tb.appendChild(tr); });
                (function chart() {
                  const svg = document.getElementById('chart'); const W = 720, H = 200, n = steps.length; if (!n) return;
                  const series = [['guidanceDeltaNorm', '#c33'], ['appliedGuidanceNorm', '#36c']];
                  let max = 1e-9; steps.forEach(s => series.forEach(([k]) => { if (s[k] != null) max = Math.max(max, s[k]); }));
                  const x = i => n === 1 ? 10 : 10 + i * (W - 20) / (n - 1);
                  const line = (vals, color, m) => { const pts = vals.map((v, i) => v == null ? null : x(i).toFixed(1) + ',' + (H - 10 - v / m * (H - 30)).toFixed(1)).filter(p => p);
                    if (pts.length) svg.insertAdjacentHTML('beforeend', '<polyline fill="none" stroke-width="2" stroke="' + color + '" points="' + pts.join(' ') + '"/>'); };
                  series.forEach(([k, c]) => line(steps.map(s => s[k]), c, max));
                  const stds = steps.map(s => s.latents ? s.latents.std : null); const ms = Math.max(1e-9, ...stds.filter(v => v != null));
                  line(stds, '#393', ms);
                  svg.insertAdjacentHTML('beforeend', '<text x="12" y="14" font-size="11">max norm ' + fmt(max) + ', max latent std ' + fmt(ms) + '</text>');
                })();
                const ev = document.getElementById('events');
                (T.events || []).forEach(e => {
                  const f = e.fields || {}; let body = '';
                  if (Array.isArray(f.words)) {
                    body += '<table><tr><th class="l">word</th><th class="l">sub-word tokens</th></tr>' + f.words.map(w => '<tr><td class="l">' + esc(w.text || w.word || '') + '</td><td class="l">' + esc((w.pieces || w.tokens || []).join(' · ')) + '</td></tr>').join('') + '</table>';
                  }
                  const rest = Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'words' && k !== 'ids'));
                  body += '<pre>' + esc(JSON.stringify(rest, null, 1)) + '</pre>';
                  ev.insertAdjacentHTML('beforeend', '<h3 style="font-size:13px">' + esc(e.stage + ' · ' + e.component + ' · ' + e.event) + ' <small>(' + fmt(e.millis) + ' ms)</small></h3>' + body);
                });
                const tt = document.getElementById('timings'); const r = T.result || {};
                const rows = [['iterations', r.iterations], ['denoiser calls', r.denoiserCalls], ['guidance', r.guidance]];
                Object.entries(r.timingsMillis || {}).forEach(([k, v]) => rows.push([k + ' (ms)', v]));
                rows.forEach(([k, v]) => tt.insertAdjacentHTML('beforeend', '<tr><td class="l">' + esc(k) + '</td><td>' + esc(fmt(v)) + '</td></tr>'));
                </script></body></html>
                """;
    }
}
