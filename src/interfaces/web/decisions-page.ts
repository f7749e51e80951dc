/**
 * The live decisions page (`/decisions`, formerly the read-only page at `/`): the last 100 decisions
 * from the audit log, refreshed every 2 s. All text is set with
 * textContent (never innerHTML), and control or invisible characters are shown as escapes.
 */
import { INVISIBLE_CHARACTERS } from '../cli/render-verdict.js';
import { html, type SafeHtml } from './html.js';

/** The page's script: fetches the audit log and renders decisions with textContent only. */
export const DECISIONS_SCRIPT = `(() => {
const vis = (s) => String(s).replace(/[\\u0009\\u000a${INVISIBLE_CHARACTERS}]/g, (c) => '\\\\u{' + c.codePointAt(0).toString(16).padStart(4, '0') + '}');
function describe(a){ if(!a) return ''; if(a.kind==='shell') return a.command; if(a.kind==='sql') return a.sql; if(a.kind==='mcp') return a.server+'.'+a.tool+' '+JSON.stringify(a.arguments); return a.operation+' '+a.path; }
const source = document.getElementById('decision-rows').dataset.source;
const labels = ['#', 'time', 'agent', 'action', 'risk', 'env', 'decision'];
let last = 0;
async function refresh(){
  const status = document.getElementById('decisions-status');
  try{
    const headRes = await fetch(source + '/head', { credentials: 'same-origin' });
    if (!headRes.ok) throw new Error('HTTP ' + headRes.status);
    const head = (await headRes.json()).head;
    const size = head ? head.seq : 0;
    status.textContent = size + ' audit entries';
    if (size === last) return;
    const from = Math.max(1, size - 99);
    const entries = (await (await fetch(source + '?from=' + from + '&limit=100', { credentials: 'same-origin' })).json()).entries;
    const tbody = document.getElementById('decision-rows'); tbody.replaceChildren();
    for (const e of entries.filter((x) => x.type === 'decision').reverse()) {
      const p = e.payload, tr = document.createElement('tr');
      const cells = [e.seq, new Date(e.ts).toLocaleString(), p.proposal.agent.id + (p.proposal.agent.authenticated ? '' : ' (unverified)'), describe(p.proposal.action), p.assessment.risk, p.environment.name, p.decision.outcome];
      cells.forEach((v, i) => { const td = document.createElement('td'); td.dataset.label = labels[i];
        if (i === 3) { const c = document.createElement('code'); c.textContent = vis(v); td.append(c); }
        else if (i === 6) { const b = document.createElement('span'); b.className = 'badge ' + (v === 'allow' ? 'approved' : v === 'hold' ? 'pending' : 'denied'); b.textContent = vis(v); td.append(b); }
        else td.textContent = vis(v);
        tr.append(td); });
      tbody.append(tr);
    }
    last = size;
  } catch (err) { status.textContent = 'cannot read the audit log: ' + err; }
}
refresh(); setInterval(refresh, 2000);
})();`;

/**
 * The decisions page body; the rows are filled in by {@link DECISIONS_SCRIPT} from `source`
 * (`/v1/audit`, or the session-checked `/fragments/audit`), which serves `…/head` and `…?from=&limit=`.
 */
export function decisionsBody(source: string): SafeHtml {
  return html`<h1>Decisions</h1>
<p class="muted">Every decision Airlock recorded (the last 100), newest first. <span id="decisions-status">loading…</span></p>
<table class="stack"><thead><tr><th>#</th><th>time</th><th>agent</th><th>action</th><th>risk</th><th>env</th><th>decision</th></tr></thead>
<tbody id="decision-rows" data-source="${source}"></tbody></table>`;
}
