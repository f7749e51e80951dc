/**
 * The page shell of the web UI: one inline stylesheet and one inline script, both carrying the
 * response's CSP nonce; no external assets. Phone-usable: a single column under 700px, 44px
 * targets, long commands wrap.
 */
import { html, SafeHtml } from './html.js';

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2430;background:#f6f7f9;overflow-wrap:anywhere}
a{color:#0b57d0}
header.top{background:#1d2430;color:#fff;padding:6px 16px;display:flex;flex-wrap:wrap;gap:4px 16px;align-items:center}
header.top a{color:#fff;text-decoration:none;display:inline-block;padding:10px 4px;min-height:44px}
header.top a.on{text-decoration:underline;text-underline-offset:6px}
header.top .brand{font-weight:700;font-size:18px;margin-right:8px}
header.top nav{display:flex;flex-wrap:wrap;gap:0 12px;flex:1}
header.top form{margin:0 0 0 auto;display:flex;gap:8px;align-items:center}
header.top .muted{color:#c9d1dc}
header.top button{background:transparent;color:#fff;border:1px solid #667}
main{padding:12px 16px 48px;max-width:1100px;margin:auto}
h1{font-size:22px;margin:12px 0}h2{font-size:18px;margin:20px 0 8px}
pre,code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:14px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;background:#fff;border:1px solid #d0d5dc;border-radius:6px;padding:8px 10px;margin:4px 0;max-width:100%}
code{overflow-wrap:anywhere;word-break:break-word}
.esc{background:#ffe3a3;color:#7a3e00;border-radius:3px;padding:0 2px;font-weight:600}
mark.na{background:#ffd1d1;color:#8a0b0b;border-radius:3px;outline:1px solid #e08080}
button,.button{font:inherit;min-height:44px;padding:8px 18px;border-radius:6px;border:1px solid #8a94a3;background:#fff;color:#1d2430;cursor:pointer}
a.button{display:inline-block;text-decoration:none;line-height:26px}
button.approve{background:#16794a;border-color:#16794a;color:#fff;font-weight:600}
button.deny{background:#b42318;border-color:#b42318;color:#fff;font-weight:600}
input,textarea,select{font:inherit;min-height:44px;width:100%;max-width:100%;padding:8px;border:1px solid #8a94a3;border-radius:6px;background:#fff}
textarea{min-height:70px}
label{display:block;margin:8px 0 4px;font-weight:600}
label.inline{display:inline-flex;gap:6px;align-items:center;font-weight:400;margin:0 12px 0 0;min-height:44px}
label.inline input{width:auto;min-height:0}
.card{background:#fff;border:1px solid #d9dde3;border-radius:8px;padding:12px;margin:10px 0}
.card h3{margin:0 0 6px;font-size:16px}
.row{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:baseline}
.muted{color:#5b6472;font-size:14px}
.badge{display:inline-block;border-radius:999px;padding:1px 9px;font-size:13px;font-weight:600;background:#e6e9ee;color:#1d2430}
.badge.protected,.badge.destructive,.badge.catastrophic,.badge.denied,.badge.failed{background:#fde2e0;color:#8a1a10}
.badge.unknown,.badge.pending,.badge.unknown-outcome{background:#fff1c7;color:#6b4a00}
.badge.approved,.badge.executed,.badge.read{background:#d9f2e3;color:#0e5a35}
.banner{border-radius:8px;padding:10px 12px;margin:10px 0;font-weight:600}
.banner.error{background:#fde2e0;color:#8a1a10;border:1px solid #f3a59d}
.banner.ok{background:#d9f2e3;color:#0e5a35;border:1px solid #93d3ae}
.banner.warn{background:#fff1c7;color:#6b4a00;border:1px solid #e9cf79}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e6ea;vertical-align:top}
ol.argv{padding-left:0;list-style:none;margin:4px 0}
ol.argv li{display:flex;gap:8px;align-items:baseline;margin:2px 0}
ol.argv li .i{color:#5b6472;min-width:2.5em;text-align:right;font-size:13px}
ol.argv li code{background:#fff;border:1px solid #d0d5dc;border-radius:4px;padding:1px 6px;white-space:pre-wrap}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:6px 0}
dl.kv dt{font-weight:600;color:#3b4454}dl.kv dd{margin:0;min-width:0}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 24px}
.actions{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-top:8px}
.actions form{background:#fff;border:1px solid #d9dde3;border-radius:8px;padding:12px}
.actions button{width:100%;margin-top:10px}
.stated{border-left:4px solid #e9cf79;padding-left:10px}
.login{max-width:420px;margin:24px auto}
@media (max-width:700px){
  header.top nav{order:3;flex-basis:100%;gap:0 14px}
  main{padding:8px 12px 40px}
  .grid,.actions{grid-template-columns:1fr}
  dl.kv{grid-template-columns:1fr}dl.kv dt{margin-top:6px}
  table.stack thead{display:none}
  table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
  table.stack tr{border-bottom:2px solid #d9dde3;padding:4px 0}
  table.stack td{border:0;padding:2px 8px}
  table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:#3b4454}
}
`;

/**
 * Live updates: elements with `data-live` are re-fetched from that URL when `/events` says
 * something changed (and when the stream (re)connects, so nothing is missed), then swapped in.
 * The fragments are server-rendered and escaped; DOMParser never runs their scripts, and the CSP
 * would refuse them anyway.
 */
const LIVE_SCRIPT = `(() => {
  const live = () => [...document.querySelectorAll('[data-live]')];
  if (live().length === 0) return;
  const closedState = () => {
    const closed = document.querySelector('[data-open="false"]') !== null;
    for (const el of document.querySelectorAll('[data-hide-when-closed]')) el.hidden = closed;
  };
  let busy = false, again = false;
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      for (const el of live()) {
        const res = await fetch(el.dataset.live, { credentials: 'same-origin', headers: { accept: 'text/html' } });
        if (res.status === 401) { location.reload(); return; }
        if (!res.ok) continue;
        const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
        const next = doc.getElementById(el.id);
        if (next !== null) el.replaceWith(document.adoptNode(next));
      }
      closedState();
      document.documentElement.dataset.refreshed = String(Date.now());
    } catch (err) {
      // The server is restarting; the next event or tick tries again.
    } finally {
      busy = false;
      if (again) { again = false; void refresh(); }
    }
  }
  const events = new EventSource('/events');
  events.addEventListener('change', () => void refresh());
  events.addEventListener('open', () => void refresh());
  setInterval(() => void refresh(), 30000);
  closedState();
})();`;

/** The live-update script, exported for its tests. */
export const LIVE_UPDATE_SCRIPT = LIVE_SCRIPT;

/** What a page needs around its content. */
export interface PageOptions {
  readonly title: string;
  readonly nonce: string;
  readonly body: SafeHtml;
  /** The signed-in human and their CSRF token (for the sign-out form); absent on the sign-in page. */
  readonly human?: { readonly id: string; readonly csrf: string };
  /** Which navigation entry is current. */
  readonly active?: 'queue' | 'history' | 'grants' | 'agents' | 'decisions';
  /** Include the live-update script. */
  readonly live?: boolean;
  /** Extra page script (trusted source text). */
  readonly script?: string;
}

const NAV: readonly { readonly key: NonNullable<PageOptions['active']>; readonly href: string; readonly label: string }[] = [
  { key: 'queue', href: '/', label: 'Queue' },
  { key: 'history', href: '/history', label: 'History' },
  { key: 'grants', href: '/grants', label: 'Grants' },
  { key: 'agents', href: '/agents', label: 'Agents' },
  { key: 'decisions', href: '/decisions', label: 'Decisions' },
];

/** A whole HTML document. */
export function page(o: PageOptions): string {
  const nav = o.human
    ? html`<nav>${NAV.map((n) => html`<a href="${n.href}" class="${o.active === n.key ? 'on' : ''}">${n.label}</a>`)}</nav>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${o.human.csrf}"><span class="muted">${o.human.id}</span> <button type="submit">Sign out</button></form>`
    : '';
  const scripts = [o.live ? LIVE_SCRIPT : '', o.script ?? ''].filter((s) => s !== '').join('\n');
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${o.title} — Airlock</title>
<style nonce="${o.nonce}">${trusted(CSS)}</style></head>
<body><header class="top"><a class="brand" href="/">Airlock</a>${nav}</header>
<main>${o.body}</main>
${scripts === '' ? '' : html`<script nonce="${o.nonce}">${trusted(scripts)}</script>`}
</body></html>`.value;
}

/** Source text of this module (CSS, scripts), emitted as is. */
function trusted(source: string): SafeHtml {
  return new SafeHtml(source);
}
