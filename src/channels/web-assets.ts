/**
 * The website chat's page and widget script. Plain DOM, no framework: it must load fast on a
 * cheap phone and embed in any association site with one tag:
 *   <script src="https://bot.example.org/chat/widget.js" data-association="qalam" defer></script>
 * Text is only ever set with textContent (never parsed as HTML).
 */
import type { FlowFile } from '../flows/schema.ts';
import { esc } from '../server/html.ts';
import { NUMBER_RUN } from '../text/bidi.ts';


export function pageHtml(flow: FlowFile, lang: 'ar' | 'en'): string {
  const name = esc(flow.name[lang]);
  const other = lang === 'ar' ? { href: '?lang=en', label: 'English' } : { href: '?lang=ar', label: 'العربية' };
  return `<!doctype html>
<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name}</title>
<style>
  html, body { margin: 0; height: 100%; background: #f4f6f5; font-family: "Noto Naskh Arabic", "Segoe UI", Tahoma, system-ui, sans-serif; }
  header { display: flex; justify-content: space-between; align-items: center; padding: 12px 16px; background: #0f5c4d; color: #fff; }
  header h1 { font-size: 1.05rem; margin: 0; font-weight: 600; }
  header a { color: #d8efe9; font-size: .9rem; }
  #chat { height: calc(100% - 52px); max-width: 720px; margin: 0 auto; }
</style>
</head>
<body>
<header><h1>${name}</h1><a href="${other.href}" lang="${lang === 'ar' ? 'en' : 'ar'}">${other.label}</a></header>
<main id="chat"></main>
<script src="/chat/widget.js" data-association="${esc(flow.id)}" data-lang="${lang}" data-mount="#chat" data-title="${name}" defer></script>
</body>
</html>`;
}

export const WIDGET_JS = String.raw`(() => {
  'use strict';
  const script = document.currentScript;
  if (!script) return;
  const org = script.dataset.association;
  const base = new URL(script.src, location.href).origin;
  const lang = script.dataset.lang === 'en' ? 'en' : (script.dataset.lang === 'ar' ? 'ar' : (document.documentElement.lang || 'ar').startsWith('en') ? 'en' : 'ar');
  const rtl = lang === 'ar';
  const T = rtl
    ? { placeholder: 'اكتب رسالتك…', send: 'إرسال', file: 'إرفاق ملف', open: 'تواصل معنا', offline: 'انقطع الاتصال، نعيد المحاولة…', close: 'إغلاق' }
    : { placeholder: 'Type your message…', send: 'Send', file: 'Attach a file', open: 'Chat with us', offline: 'Connection lost, retrying…', close: 'Close' };

  // This browser's identity: random, kept in localStorage, sent only in a header.
  const KEY = 'tawasul-chat-id:' + org;
  let chatId = null;
  try { chatId = localStorage.getItem(KEY); } catch (e) {}
  if (!chatId) {
    const bytes = new Uint8Array(24);
    crypto.getRandomValues(bytes);
    chatId = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    try { localStorage.setItem(KEY, chatId); } catch (e) {}
  }
  const newId = () => { const b = new Uint8Array(12); crypto.getRandomValues(b); return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''); };

  const mountSel = script.dataset.mount;
  const host = mountSel ? document.querySelector(mountSel) : document.createElement('div');
  if (!mountSel) document.body.appendChild(host);
  const root = host.attachShadow({ mode: 'open' });
  const floating = !mountSel;
  root.innerHTML = '<style>' +
    ':host{all:initial}' +
    '.box{box-sizing:border-box;display:flex;flex-direction:column;height:100%;font:15px/1.6 "Noto Naskh Arabic","Segoe UI",Tahoma,system-ui,sans-serif;color:#1d2b27;background:#fff}' +
    '.float{position:fixed;bottom:16px;' + (rtl ? 'left' : 'right') + ':16px;width:min(380px,calc(100vw - 32px));height:min(560px,calc(100vh - 96px));border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.2);overflow:hidden;z-index:2147483000}' +
    '.head{background:#0f5c4d;color:#fff;padding:10px 14px;display:flex;justify-content:space-between;align-items:center;font-weight:600}' +
    '.head button{background:none;border:0;color:#fff;font-size:18px;cursor:pointer}' +
    '.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f4f6f5}' +
    '.msg{max-width:85%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}' +
    '.bot,.staff{align-self:flex-start;background:#fff;border:1px solid #dfe7e4}' +
    '.me{align-self:flex-end;background:#d8efe9}' +
    '.choices{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}' +
    '.choices button{border:1px solid #0f5c4d;background:#fff;color:#0f5c4d;border-radius:16px;padding:4px 12px;font:inherit;cursor:pointer}' +
    '.choices button:hover{background:#0f5c4d;color:#fff}' +
    '.bar{display:flex;gap:6px;padding:8px;border-top:1px solid #dfe7e4;background:#fff}' +
    '.bar input[type=text]{flex:1;min-width:0;border:1px solid #c7d3cf;border-radius:20px;padding:8px 12px;font:inherit}' +
    '.bar button{border:0;background:#0f5c4d;color:#fff;border-radius:20px;padding:8px 14px;font:inherit;cursor:pointer}' +
    '.bar label{display:flex;align-items:center;cursor:pointer;font-size:20px;padding:0 4px}' +
    '.bar input[type=file]{display:none}' +
    '.status{font-size:12px;color:#8a5a00;padding:2px 12px;min-height:0}' +
    '.launch{position:fixed;bottom:16px;' + (rtl ? 'left' : 'right') + ':16px;background:#0f5c4d;color:#fff;border:0;border-radius:24px;padding:12px 18px;font:15px system-ui,sans-serif;cursor:pointer;z-index:2147483000}' +
    '</style>';
  const box = document.createElement('div');
  box.className = 'box' + (floating ? ' float' : '');
  box.dir = rtl ? 'rtl' : 'ltr';
  box.lang = lang;
  const head = document.createElement('div');
  head.className = 'head';
  const title = document.createElement('span');
  title.textContent = script.dataset.title || T.open;
  head.appendChild(title);
  const log = document.createElement('div');
  log.className = 'log';
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  const status = document.createElement('div');
  status.className = 'status';
  const bar = document.createElement('form');
  bar.className = 'bar';
  const input = document.createElement('input');
  input.type = 'text';
  input.placeholder = T.placeholder;
  input.setAttribute('aria-label', T.placeholder);
  input.maxLength = 4000;
  const attach = document.createElement('label');
  attach.title = T.file;
  // An SVG paper clip: cheap phones often lack an emoji font.
  attach.innerHTML = '<svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true"><path fill="none" stroke="#0f5c4d" stroke-width="2" stroke-linecap="round" d="M21 11.5l-8.5 8.5a5 5 0 01-7-7L14 4.5a3.5 3.5 0 015 5L10.5 18a2 2 0 01-3-3L15 7.5"/></svg>';
  attach.setAttribute('aria-label', T.file);
  const file = document.createElement('input');
  file.type = 'file';
  file.accept = 'image/*,application/pdf';
  attach.appendChild(file);
  const send = document.createElement('button');
  send.type = 'submit';
  send.textContent = T.send;
  bar.append(attach, input, send);
  box.append(head, log, status, bar);
  root.appendChild(box);
  if (floating) {
    const close = document.createElement('button');
    close.textContent = '×';
    close.setAttribute('aria-label', T.close);
    head.appendChild(close);
    const launch = document.createElement('button');
    launch.className = 'launch';
    launch.textContent = T.open;
    root.appendChild(launch);
    box.style.display = 'none';
    launch.onclick = () => { box.style.display = ''; launch.style.display = 'none'; input.focus(); greet(); };
    close.onclick = () => { box.style.display = 'none'; launch.style.display = ''; };
  } else {
    // On its own page the page's header already names the association.
    host.style.display = 'block';
    head.style.display = 'none';
  }

  // Numbers, phones, dates and references read left to right inside Arabic text: each run is a
  // <bdi dir="ltr"> (built as elements, never parsed as HTML), so "+966 55 123 4567" keeps its order.
  const RUN = new RegExp(${JSON.stringify(NUMBER_RUN.source)}, 'g');
  function fill(el, text) {
    text = String(text == null ? '' : text);
    let last = 0;
    for (const m of text.matchAll(RUN)) {
      if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
      const run = document.createElement('bdi');
      run.dir = 'ltr';
      run.textContent = m[0];
      el.appendChild(run);
      last = m.index + m[0].length;
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
  }

  const shown = new Set();
  function bubble(item) {
    if (item.id && shown.has(item.id)) return;
    if (item.id) shown.add(item.id);
    const div = document.createElement('div');
    div.className = 'msg ' + item.from;
    fill(div, item.text);
    if (item.choices && item.choices.length) {
      const row = document.createElement('div');
      row.className = 'choices';
      for (const c of item.choices) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = c.label;
        b.onclick = () => post({ choiceId: c.id }, c.label);
        row.appendChild(b);
      }
      div.appendChild(row);
    }
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }

  const headers = { 'x-chat-id': chatId };
  async function post(body, echo) {
    const id = newId();
    bubble({ id: 'local-' + id, from: 'me', text: echo });
    const res = await fetch(base + '/chat/' + encodeURIComponent(org) + '/messages', {
      method: 'POST', headers: Object.assign({ 'content-type': 'application/json' }, headers), body: JSON.stringify(Object.assign({ id, lang }, body)),
    }).catch(() => null);
    status.textContent = res && res.ok ? '' : T.offline;
  }
  bar.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    post({ text }, text);
  });
  file.addEventListener('change', async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    const id = newId();
    bubble({ id: 'local-' + id, from: 'me', text: f.name });
    await fetch(base + '/chat/' + encodeURIComponent(org) + '/files', {
      method: 'POST', headers: Object.assign({ 'content-type': f.type || 'application/octet-stream', 'x-file-name': encodeURIComponent(f.name), 'x-message-id': id }, headers), body: f,
    }).catch(() => { status.textContent = T.offline; });
    file.value = '';
  });

  // Server-sent events read with fetch, so the identity travels in a header.
  let delay = 1000;
  // A first visit: the bot greets without waiting for the visitor to type (the server makes it
  // one greeting per browser). A floating widget greets only once its box is opened, so a page
  // view alone starts no conversation.
  let opened = false, ready = false;
  function greet() {
    if (opened || !ready || log.querySelector('.msg') || box.style.display === 'none') return;
    opened = true;
    fetch(base + '/chat/' + encodeURIComponent(org) + '/open', { method: 'POST', headers: Object.assign({ 'content-type': 'application/json' }, headers), body: JSON.stringify({ lang }) }).catch(() => { opened = false; });
  }
  async function listen() {
    try {
      const res = await fetch(base + '/chat/' + encodeURIComponent(org) + '/events', { headers, cache: 'no-store' });
      if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
      log.textContent = '';
      shown.clear();
      status.textContent = '';
      delay = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let at;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const chunk = buf.slice(0, at);
          buf = buf.slice(at + 2);
          let event = 'message', data = '';
          for (const line of chunk.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (event === 'message' && data) bubble(JSON.parse(data));
          if (event === 'ready') {
            box.dataset.ready = '1'; host.dataset.ready = '1';
            ready = true;
            greet();
          }
        }
      }
    } catch (e) {}
    status.textContent = T.offline;
    setTimeout(listen, delay);
    delay = Math.min(delay * 2, 30000);
  }
  listen();
})();
`;
