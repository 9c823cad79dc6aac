package io.assay.framework.serve;

/** The server's page: a prompt form, the steps emerging (previews polled from the job), the result and its infotext. */
final class ServePage {

    private ServePage() {
    }

    /**
     * The page with the server's token in a meta tag, which its own script sends on every state-changing request;
     * another site's page cannot read it (no CORS headers, and the Host check stops DNS rebinding).
     */
    static String html(String token) {
        return HTML.replace("@TOKEN@", token == null ? "" : token);
    }

    private static final String HTML = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>assay serve</title>
            <meta name="assay-token" content="@TOKEN@">
            <style>
            body{font-family:sans-serif;margin:24px;max-width:900px}
            label{display:inline-block;margin:4px 12px 4px 0;font-size:13px}
            input[type=text]{width:520px} input[type=number]{width:80px}
            img.px{image-rendering:pixelated;width:256px;height:256px;border:1px solid #ddd}
            img.px:not([src]){visibility:hidden}
            .frame{width:258px;height:258px;background:#fafafa;border:1px dashed #ccc}
            pre{font-size:12px;background:#f6f6f6;padding:6px;white-space:pre-wrap}
            #plugins{font-size:12px}
            </style></head><body>
            <h1>assay</h1>
            <form id="f">
              <label>prompt <input type="text" id="prompt" value="a red circle on a blue background"></label><br>
              <label>negative <input type="text" id="negative" value=""></label><br>
              <label>seed <input type="number" id="seed" value="0"></label>
              <label>steps <input type="number" id="steps" value="20" min="1" max="500"></label>
              <label>guidance <input type="number" id="guidance" value="7.5" step="0.5"></label>
              <label>scheduler <select id="scheduler"></select></label>
              <button type="submit" id="go">generate</button> <button type="button" id="cancel" disabled>cancel</button>
            </form>
            <p id="status">idle</p>
            <div style="display:flex;gap:24px">
              <div><div>step preview</div><div class="frame"><img id="preview" class="px" alt="preview"></div></div>
              <div><div>result</div><div class="frame"><img id="result" class="px" alt="result"></div></div>
            </div>
            <pre id="info"></pre>
            <h2>Plugins</h2><div id="plugins"></div>
            <script>
            let job = null;
            const TOKEN = document.querySelector('meta[name=assay-token]').content;
            const AUTH = TOKEN ? {'X-Assay-Token': TOKEN} : {};
            const $ = id => document.getElementById(id);
            fetch('/sdapi/v1/samplers').then(r => r.json()).then(list => {
              list.forEach(s => { const o = document.createElement('option'); o.value = s.aliases[0]; o.textContent = s.name + ' (' + s.aliases[0] + ')'; $('scheduler').appendChild(o); });
              $('scheduler').value = 'euler';
            });
            function plugins() {
              fetch('/api/plugins').then(r => r.json()).then(list => {
                $('plugins').textContent = list.map(p => p.id + ' ' + p.version + ' ' + p.state + ' ('
                  + Object.entries(p.components || {}).map(([k, v]) => k + ': ' + v.join(', ')).join('; ') + ')').join(' · ');
              });
            }
            plugins(); setInterval(plugins, 5000);
            $('f').onsubmit = async e => {
              e.preventDefault();
              const body = {prompt: $('prompt').value, negative: $('negative').value, seed: +$('seed').value,
                steps: +$('steps').value, guidance: +$('guidance').value, scheduler: $('scheduler').value};
              // A new run: nothing of the previous one stays on screen.
              clearImages(); $('info').textContent = '';
              const r = await fetch('/api/jobs', {method: 'POST', headers: Object.assign({'Content-Type': 'application/json'}, AUTH), body: JSON.stringify(body)});
              const j = await r.json();
              if (!r.ok) { $('status').textContent = j.error + ': ' + j.detail; return; }
              job = j.id; $('go').disabled = true; $('cancel').disabled = false; poll();
            };
            function clearImages() { $('preview').removeAttribute('src'); $('result').removeAttribute('src'); }
            $('cancel').onclick = () => job && fetch('/api/jobs/' + job, {method: 'DELETE', headers: AUTH});
            async function poll() {
              const j = await (await fetch('/api/jobs/' + job)).json();
              $('status').textContent = j.state + ' — step ' + j.step + ' / ' + j.steps + (j.components ? ' — ' + j.components : '');
              if (j.preview) $('preview').src = j.preview;
              if (j.state === 'queued' || j.state === 'running') { setTimeout(poll, 150); return; }
              $('go').disabled = false; $('cancel').disabled = true;
              if (j.state === 'done') {
                $('result').src = 'data:image/png;base64,' + j.result.images[0];
                $('info').textContent = j.result.infotexts[0];
              } else { clearImages(); $('info').textContent = j.state + ': ' + (j.error || ''); }
            }
            </script></body></html>
            """;
}
