import { INVISIBLE_CHARACTERS } from '../cli/render-verdict.js';

/**
 * The read-only decisions page served at `/`: recent decisions, refreshed live. All text is set
 * with textContent (never innerHTML), and control or invisible characters are shown as escapes.
 */
export const AUDIT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Airlock — decisions</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:12px 16px;display:flex;gap:12px;align-items:baseline;flex-wrap:wrap}
header h1{font-size:18px;margin:0}main{padding:12px 16px;max-width:1100px;margin:auto}
table{width:100%;border-collapse:collapse;background:#fff}th,td{text-align:left;padding:8px;border-bottom:1px solid #e3e6ea;vertical-align:top}
code{font-family:ui-monospace,monospace;word-break:break-all}.allow{color:#16794a}.hold{color:#9a6700}.deny{color:#b42318}
.pill{font-weight:600;text-transform:uppercase;font-size:12px}@media(max-width:640px){.hide-s{display:none}}
</style></head>
<body><header><h1>Airlock</h1><span id="status">loading…</span></header>
<main><table><thead><tr><th>#</th><th class="hide-s">time</th><th>agent</th><th>action</th><th>risk</th><th>env</th><th>decision</th></tr></thead>
<tbody id="rows"></tbody></table></main>
<script>
const vis = (s) => String(s).replace(/[\\u0009\\u000a${INVISIBLE_CHARACTERS}]/g, (c) => '\\\\u{' + c.codePointAt(0).toString(16).padStart(4, '0') + '}');
function describe(a){ if(!a) return ''; if(a.kind==='shell') return a.command; if(a.kind==='sql') return a.sql; if(a.kind==='mcp') return a.server+'.'+a.tool+' '+JSON.stringify(a.arguments); return a.operation+' '+a.path; }
let last = 0;
async function refresh(){
  try{
    const head = (await (await fetch('/v1/audit/head')).json()).head;
    const size = head ? head.seq : 0;
    document.getElementById('status').textContent = size + ' audit entries';
    if (size === last) return;
    const from = Math.max(1, size - 99);
    const entries = (await (await fetch('/v1/audit?from=' + from + '&limit=100')).json()).entries;
    const tbody = document.getElementById('rows'); tbody.replaceChildren();
    for (const e of entries.filter((x) => x.type === 'decision').reverse()) {
      const p = e.payload, tr = document.createElement('tr');
      const cells = [e.seq, new Date(e.ts).toLocaleString(), p.proposal.agent.id + (p.proposal.agent.authenticated ? '' : ' (unverified)'), describe(p.proposal.action), p.assessment.risk, p.environment.name, p.decision.outcome];
      cells.forEach((v, i) => { const td = document.createElement('td'); if (i === 1) td.className = 'hide-s';
        if (i === 3) { const c = document.createElement('code'); c.textContent = vis(v); td.append(c); }
        else if (i === 6) { td.className = 'pill ' + v; td.textContent = v; } else td.textContent = vis(v);
        tr.append(td); });
      tbody.append(tr);
    }
    last = size;
  } catch (err) { document.getElementById('status').textContent = 'cannot reach Airlock: ' + err; }
}
refresh(); setInterval(refresh, 2000);
</script></body></html>`;
