/**
 * Console pages as functions of their data. Every interpolated value goes through `esc`:
 * a beneficiary's `<script>` is shown as text.
 */
import type { User } from './accounts.ts';
import { esc } from '../server/html.ts';

export type Lang = 'ar' | 'en';

export { esc };

const T = {
  ar: {
    title: 'تواصل — لوحة الموظفين',
    login: 'تسجيل الدخول',
    email: 'البريد الإلكتروني',
    password: 'كلمة المرور',
    signIn: 'دخول',
    wrong: 'البريد أو كلمة المرور غير صحيحة.',
    logout: 'تسجيل الخروج',
    welcome: 'مرحبًا',
    waiting: 'محادثات بانتظار موظف',
    role: { staff: 'موظف علاقات', researcher: 'باحث اجتماعي', committee: 'لجنة البحث', supervisor: 'مشرف', admin: 'مدير النظام' },
    other: 'English',
  },
  en: {
    title: 'Tawasul — staff console',
    login: 'Sign in',
    email: 'Email',
    password: 'Password',
    signIn: 'Sign in',
    wrong: 'Wrong email or password.',
    logout: 'Sign out',
    welcome: 'Welcome',
    waiting: 'Conversations waiting for a person',
    role: { staff: 'Relations staff', researcher: 'Social researcher', committee: 'Research committee', supervisor: 'Supervisor', admin: 'Administrator' },
    other: 'العربية',
  },
} as const;

export function layout(lang: Lang, body: string, user?: User): string {
  const t = T[lang];
  return `<!doctype html>
<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t.title)}</title>
<style>
  body { margin: 0; font-family: "Noto Naskh Arabic", "Segoe UI", Tahoma, system-ui, sans-serif; background: #f4f6f5; color: #1d2b27; }
  header { display: flex; justify-content: space-between; align-items: center; gap: 12px; padding: 10px 16px; background: #0f5c4d; color: #fff; }
  header a, header button { color: #d8efe9; background: none; border: 0; font: inherit; cursor: pointer; }
  main { max-width: 960px; margin: 24px auto; padding: 0 16px; }
  .card { background: #fff; border: 1px solid #dfe7e4; border-radius: 12px; padding: 20px; margin-bottom: 16px; }
  label { display: block; margin: 12px 0 4px; }
  input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: 10px; border: 1px solid #c7d3cf; border-radius: 8px; font: inherit; }
  .primary { margin-top: 16px; background: #0f5c4d; color: #fff; border: 0; border-radius: 8px; padding: 10px 18px; font: inherit; cursor: pointer; }
  .error { color: #a4262c; }
  table { width: 100%; border-collapse: collapse; }
  td, th { padding: 8px; border-bottom: 1px solid #eef2f0; text-align: start; }
  .count { font-weight: 700; }
  .chart { position: relative; height: 240px; }
</style>
</head>
<body>
<header><strong><a href="/console" style="color:#fff;text-decoration:none">${esc(t.title)}</a></strong>${user ? `<nav><a href="/console/inbox">${lang === 'ar' ? 'صندوق التصعيد' : 'Inbox'}</a> · <a href="/console/requests">${lang === 'ar' ? 'الطلبات' : 'Requests'}</a>${user.role === 'supervisor' || user.role === 'admin' ? ` · <a href="/console/dashboard">${lang === 'ar' ? 'لوحة المشرف' : 'Dashboard'}</a>` : ''}</nav>` : ''}<span>${user ? `${esc(user.name)} · ` : ''}<a href="?lang=${lang === 'ar' ? 'en' : 'ar'}">${t.other}</a></span></header>
<main>${body}</main>
</body>
</html>`;
}

export function loginPage(lang: Lang, csrfToken: string, failed = false): string {
  const t = T[lang];
  return `<form class="card" method="post" action="/console/login" style="max-width:380px;margin:auto">
<h1>${t.login}</h1>
${failed ? `<p class="error" role="alert">${t.wrong}</p>` : ''}
<input type="hidden" name="_csrf" value="${esc(csrfToken)}">
<label for="email">${t.email}</label><input id="email" name="email" type="email" autocomplete="username" required dir="ltr">
<label for="password">${t.password}</label><input id="password" name="password" type="password" autocomplete="current-password" required dir="ltr">
<button class="primary" type="submit">${t.signIn}</button>
</form>`;
}

export function homePage(lang: Lang, user: User, waiting: Array<{ associationId: string; name: string; waiting: number }>, csrfToken: string): string {
  const t = T[lang];
  const rows = waiting.map((w) => `<tr><td>${esc(w.name)}</td><td class="count">${w.waiting}</td></tr>`).join('');
  return `<section class="card"><h1>${t.welcome} ${esc(user.name)}</h1><p>${esc(t.role[user.role])}</p>
<form method="post" action="/console/logout"><input type="hidden" name="_csrf" value="${esc(csrfToken)}"><button class="primary" type="submit">${t.logout}</button></form></section>
<section class="card"><h2><a href="/console/inbox">${t.waiting}</a></h2><table>${rows}</table></section>`;
}

const L = {
  ar: {
    inbox: 'بانتظار موظف', none: 'لا محادثات بانتظار أحد.', waitingSince: 'ينتظر منذ', channel: 'القناة', association: 'الجمعية', why: 'السبب', collected: 'إجابات مجمّعة',
    held: 'مع موظف', open: 'فتح', claim: 'استلام المحادثة', reply: 'إرسال الرد', release: 'إعادة إلى البوت', releaseMenu: 'إلى القائمة', releaseForm: 'إلى حيث توقف الطلب', back: 'الصندوق',
    reasons: { requested: 'طلب موظفًا', repeated_failures: 'تعثّر في سؤال', not_understood: 'لم يُفهم', staff_initiated: 'بمبادرة موظف' } as Record<string, string>,
    who: { beneficiary: 'المستفيد', bot: 'البوت', staff: 'الموظف', system: 'النظام' } as Record<string, string>,
  },
  en: {
    inbox: 'Waiting for a person', none: 'Nobody is waiting.', waitingSince: 'Waiting since', channel: 'Channel', association: 'Association', why: 'Why', collected: 'Answers so far',
    held: 'With staff', open: 'Open', claim: 'Claim', reply: 'Send reply', release: 'Hand back to the bot', releaseMenu: 'to the menu', releaseForm: 'where the form stopped', back: 'Inbox',
    reasons: { requested: 'asked for a person', repeated_failures: 'stuck on a question', not_understood: 'not understood', staff_initiated: 'staff initiated' } as Record<string, string>,
    who: { beneficiary: 'Beneficiary', bot: 'Bot', staff: 'Staff', system: 'System' } as Record<string, string>,
  },
};

function minutesSince(iso: string | null): string {
  if (!iso) return '—';
  const m = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60_000));
  return m < 60 ? `${m}′` : `${Math.floor(m / 60)}h ${m % 60}′`;
}

export function inboxPage(lang: Lang, items: Array<{ conversationId: string; associationName: string; channel: string; mode: string; escalatedAt: string | null; reason: string | null; fieldsCollected: number; heldBy: string | null }>): string {
  const t = L[lang];
  if (items.length === 0) return `<section class="card"><h1>${t.inbox}</h1><p>${t.none}</p></section>`;
  const rows = items
    .map(
      (i) => `<tr data-conversation="${esc(i.conversationId)}"><td>${minutesSince(i.escalatedAt)}</td><td>${esc(i.associationName)}</td><td>${esc(i.channel)}</td>
<td>${esc(i.reason ? (t.reasons[i.reason] ?? i.reason) : '')}${i.mode === 'with_staff' ? ` · ${t.held}` : ''}</td><td>${i.fieldsCollected}</td><td><a href="/console/conversations/${esc(i.conversationId)}">${t.open}</a></td></tr>`,
    )
    .join('');
  return `<section class="card"><h1>${t.inbox}</h1><table><thead><tr><th>${t.waitingSince}</th><th>${t.association}</th><th>${t.channel}</th><th>${t.why}</th><th>${t.collected}</th><th></th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

export function conversationPage(lang: Lang, c: { id: string; mode: string; assigned_staff_id: string | null; history: Array<{ direction: string; author: string; body: string; at: string }> }, userId: string, csrfToken: string): string {
  const t = L[lang];
  const csrf = `<input type="hidden" name="_csrf" value="${esc(csrfToken)}">`;
  const log = c.history
    .map((m) => `<div class="msg ${m.direction === 'in' ? 'in' : 'out'}"><small>${esc(t.who[m.author] ?? m.author)} · ${esc(m.at.slice(11, 16))}</small><div class="body">${esc(m.body)}</div></div>`)
    .join('');
  const mine = c.mode === 'with_staff' && c.assigned_staff_id === userId;
  const actions = mine
    ? `<form method="post" action="/console/conversations/${esc(c.id)}/reply">${csrf}<textarea name="text" rows="3" required style="width:100%;box-sizing:border-box;font:inherit"></textarea><button class="primary" type="submit">${t.reply}</button></form>
<form method="post" action="/console/conversations/${esc(c.id)}/release">${csrf}<label>${t.release}</label><select name="resumeAt"><option value="form">${t.releaseForm}</option><option value="menu">${t.releaseMenu}</option></select> <button class="primary" type="submit">${t.release}</button></form>`
    : c.mode === 'waiting_staff'
      ? `<form method="post" action="/console/conversations/${esc(c.id)}/claim">${csrf}<button class="primary" type="submit">${t.claim}</button></form>`
      : '';
  return `<section class="card"><p><a href="/console/inbox">← ${t.back}</a></p><style>.msg{margin:6px 0;padding:8px 12px;border-radius:10px;max-width:80%;white-space:pre-wrap}.in{background:#d8efe9;margin-inline-start:auto}.out{background:#fff;border:1px solid #dfe7e4}.msg small{color:#5b6b66}</style>
<div class="log">${log}</div></section><section class="card">${actions}</section>`;
}

const D = {
  ar: { title: 'لوحة المشرف', queues: 'الطوابير', queue: 'الطابور', waitingJobs: 'بالانتظار', active: 'قيد التنفيذ', delayed: 'مؤجلة', failed: 'فاشلة', oldest: 'أقدم مهمة (ث)',
    esc: 'التصعيد', waitingNow: 'بانتظار موظف الآن', p50: 'زمن الاستلام p50 (دقيقة)', p90: 'p90 (دقيقة)', breaches: 'تجاوزات المهلة (30 يومًا)', stages: 'الطلبات حسب المرحلة',
    decisions: 'قرارات اللجنة', satisfaction: 'رضا المستفيدين', average: 'المتوسط', responses: 'ردود', comments: 'أحدث التعليقات', dropoff: 'أين يتوقف المستفيدون في الطلب', association: 'الجمعية' },
  en: { title: 'Supervisor dashboard', queues: 'Queues', queue: 'Queue', waitingJobs: 'Waiting', active: 'Active', delayed: 'Delayed', failed: 'Failed', oldest: 'Oldest job (s)',
    esc: 'Escalations', waitingNow: 'Waiting for a person now', p50: 'Pickup p50 (min)', p90: 'p90 (min)', breaches: 'SLA breaches (30 days)', stages: 'Requests by stage',
    decisions: 'Committee decisions', satisfaction: 'Satisfaction', average: 'Average', responses: 'responses', comments: 'Latest comments', dropoff: 'Where beneficiaries stop in the intake', association: 'Association' },
};

export function dashboardPage(lang: Lang, associations: Array<{ id: string; name: string }>, selected: string, data: import('./dashboard.ts').DashboardData): string {
  const t = D[lang];
  const fmt = (n: number | null) => (n === null ? '—' : n.toFixed(1));
  const picker = associations.map((a) => `<option value="${esc(a.id)}"${a.id === selected ? ' selected' : ''}>${esc(a.name)}</option>`).join('');
  const queueRows = data.queues
    .map((q) => `<tr><td dir="ltr">${esc(q.queue)}</td><td>${q.waiting}</td><td>${q.active}</td><td>${q.delayed}</td><td>${q.failed}</td><td>${q.oldestWaitingAgeSeconds.toFixed(1)}</td></tr>`)
    .join('');
  const comments = data.satisfaction.comments.map((c) => `<li>${esc(c.text)} <small>${esc(c.at.slice(0, 10))}</small></li>`).join('');
  return `<section class="card"><h1>${t.title}</h1>
<form method="get" action="/console/dashboard"><label for="association">${t.association}</label><select id="association" name="association">${picker}</select> <button class="primary" type="submit">↻</button></form></section>
<section class="card"><h2>${t.esc}</h2><table><tr><th>${t.waitingNow}</th><td class="count" data-metric="waiting">${data.escalations.waiting}</td></tr>
<tr><th>${t.p50}</th><td>${fmt(data.escalations.pickupP50Minutes)}</td></tr><tr><th>${t.p90}</th><td>${fmt(data.escalations.pickupP90Minutes)}</td></tr>
<tr><th>${t.breaches}</th><td>${data.escalations.slaBreaches} (&gt; ${data.escalations.slaMinutes}′)</td></tr></table></section>
<section class="card"><h2>${t.satisfaction}</h2><p>${t.average}: <span class="count" data-metric="satisfaction">${fmt(data.satisfaction.average)}</span> / 5 · ${data.satisfaction.count} ${t.responses}</p>
<div class="chart"><canvas id="chart-satisfaction" aria-label="${t.satisfaction}"></canvas></div><h3>${t.comments}</h3><ul>${comments}</ul></section>
<section class="card"><h2>${t.stages}</h2><div class="chart"><canvas id="chart-stages" aria-label="${t.stages}"></canvas></div></section>
<section class="card"><h2>${t.decisions}</h2><div class="chart"><canvas id="chart-decisions" aria-label="${t.decisions}"></canvas></div></section>
<section class="card"><h2>${t.dropoff}</h2><div class="chart"><canvas id="chart-dropoff" aria-label="${t.dropoff}"></canvas></div></section>
<section class="card"><h2>${t.queues}</h2><table><thead><tr><th>${t.queue}</th><th>${t.waitingJobs}</th><th>${t.active}</th><th>${t.delayed}</th><th>${t.failed}</th><th>${t.oldest}</th></tr></thead><tbody>${queueRows}</tbody></table>
<div class="chart"><canvas id="chart-queues" aria-label="${t.queues}"></canvas></div></section>
<script type="application/json" id="dashboard-data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
<script src="/console/assets/chart.js"></script><script src="/console/assets/dashboard.js"></script>`;
}

/** Draws the dashboard's charts from the JSON the page carries (no inline script: CSP). */
export const DASHBOARD_JS = `(() => {
  const data = JSON.parse(document.getElementById('dashboard-data').textContent);
  const rtl = document.documentElement.dir === 'rtl';
  const green = '#0f5c4d', red = '#a4262c', sand = '#c9a227';
  Chart.defaults.font.family = '"Noto Naskh Arabic", "Segoe UI", Tahoma, sans-serif';
  Chart.defaults.animation = false;
  const bar = (id, labels, datasets, horizontal) => new Chart(document.getElementById(id), {
    type: 'bar', data: { labels, datasets }, options: { maintainAspectRatio: false, indexAxis: horizontal ? 'y' : 'x', plugins: { legend: { display: datasets.length > 1, rtl } }, scales: { x: { reverse: rtl && !horizontal }, y: { beginAtZero: true } } },
  });
  bar('chart-satisfaction', ['1', '2', '3', '4', '5'], [{ label: '★', data: data.satisfaction.distribution, backgroundColor: green }]);
  bar('chart-stages', Object.keys(data.requestsByStage), [{ label: '#', data: Object.values(data.requestsByStage), backgroundColor: green }]);
  bar('chart-decisions', data.decisionsByDay.map((d) => d.day), [
    { label: '✓', data: data.decisionsByDay.map((d) => d.accepted), backgroundColor: green },
    { label: '✗', data: data.decisionsByDay.map((d) => d.rejected), backgroundColor: red },
  ]);
  bar('chart-dropoff', data.dropOff.map((d) => d.label), [{ label: '#', data: data.dropOff.map((d) => d.stopped), backgroundColor: sand }], true);
  bar('chart-queues', data.queues.map((q) => q.queue), [
    { label: 'waiting', data: data.queues.map((q) => q.waiting), backgroundColor: green },
    { label: 'failed', data: data.queues.map((q) => q.failed), backgroundColor: red },
  ]);
  document.body.dataset.charts = 'ready';
})();
`;

const R = {
  ar: { requests: 'الطلبات', reference: 'الرقم', status: 'الحالة', submitted: 'قُدّم', checks: 'الفحص الآلي', open: 'فتح', data: 'البيانات', attachment: 'عرض المرفق',
    attestation: 'الإقرار', at: 'في', via: 'عبر', message: 'رسالة', hash: 'بصمة البيانات (sha256)', forward: 'إحالة إلى لجنة البحث', corrections: 'طلب تصحيح الحقول المحددة', note: 'ملاحظة للمستفيد',
    decide: 'قرار اللجنة', accept: 'قبول', reject: 'رفض', reason: 'السبب (مطلوب عند الرفض)', delivered: 'تسجيل تقديم الخدمة (يُرسل استبيان الرضا لاحقًا)', none: 'لا طلبات.', ok: 'سليم', fail: 'يحتاج مراجعة',
    statuses: { submitted: 'مقدّم', verifying: 'قيد التحقق', committee: 'لدى اللجنة', more_info: 'بانتظار تصحيح', accepted: 'مقبول', rejected: 'مرفوض', completed: 'مكتمل' } as Record<string, string> },
  en: { requests: 'Requests', reference: 'Reference', status: 'Status', submitted: 'Submitted', checks: 'Automated checks', open: 'Open', data: 'Data', attachment: 'View attachment',
    attestation: 'Attestation', at: 'at', via: 'via', message: 'message', hash: 'Data fingerprint (sha256)', forward: 'Forward to the research committee', corrections: 'Ask to correct the ticked fields', note: 'Note to the beneficiary',
    decide: 'Committee decision', accept: 'Accept', reject: 'Reject', reason: 'Reason (required to reject)', delivered: 'Record service delivery (the survey follows)', none: 'No requests.', ok: 'ok', fail: 'needs review',
    statuses: { submitted: 'submitted', verifying: 'verifying', committee: 'with the committee', more_info: 'awaiting corrections', accepted: 'accepted', rejected: 'rejected', completed: 'completed' } as Record<string, string> },
};

const checkSummary = (checks: string | null, lang: Lang) => {
  if (!checks) return '—';
  const list = JSON.parse(checks) as Array<{ check: string; ok: boolean; detail?: string }>;
  const bad = list.filter((c) => !c.ok);
  return bad.length === 0 ? R[lang].ok : `${R[lang].fail}: ${bad.map((c) => `${c.check}${c.detail ? ` (${c.detail})` : ''}`).join('، ')}`;
};

export function requestsPage(lang: Lang, rows: Array<{ reference: string; status: string; submitted_at: string; checks: string | null }>): string {
  const t = R[lang];
  if (rows.length === 0) return `<section class="card"><h1>${t.requests}</h1><p>${t.none}</p></section>`;
  const body = rows
    .map((r) => `<tr><td dir="ltr">${esc(r.reference)}</td><td>${esc(t.statuses[r.status] ?? r.status)}</td><td>${esc(r.submitted_at.slice(0, 10))}</td><td>${esc(checkSummary(r.checks, lang))}</td><td><a href="/console/requests/${encodeURIComponent(r.reference)}">${t.open}</a></td></tr>`)
    .join('');
  return `<section class="card"><h1>${t.requests}</h1><table><thead><tr><th>${t.reference}</th><th>${t.status}</th><th>${t.submitted}</th><th>${t.checks}</th><th></th></tr></thead><tbody>${body}</tbody></table></section>`;
}

export function requestPage(
  lang: Lang,
  r: { reference: string; status: string; checks: string | null; attested_at: string; attestation_channel: string; attestation_message_id: string; attestation_text: string; attestation_sha256: string },
  fields: Array<{ id: string; label: string; display: string; mediaId?: string }>,
  can: { verify: boolean; decide: boolean; deliver: boolean },
  csrfToken: string,
): string {
  const t = R[lang];
  const csrf = `<input type="hidden" name="_csrf" value="${esc(csrfToken)}">`;
  const action = (path: string) => `/console/requests/${encodeURIComponent(r.reference)}/${path}`;
  const rows = fields
    .map((f) => `<tr><td>${can.verify ? `<input type="checkbox" name="fields" value="${esc(f.id)}" form="corrections" aria-label="${esc(f.label)}">` : ''}</td><th>${esc(f.label)}</th><td>${esc(f.display)}${f.mediaId ? ` — <a href="/console/media/${esc(f.mediaId)}" target="_blank" rel="noopener">${t.attachment}</a>` : ''}</td></tr>`)
    .join('');
  const forms: string[] = [];
  if (can.verify && (r.status === 'verifying' || r.status === 'submitted')) {
    forms.push(`<form method="post" action="${action('forward')}">${csrf}<button class="primary" type="submit">${t.forward}</button></form>`);
    forms.push(`<form id="corrections" method="post" action="${action('corrections')}">${csrf}<label>${t.note}<input type="text" name="note" maxlength="300" style="width:100%"></label><button class="primary" type="submit">${t.corrections}</button></form>`);
  }
  if (can.decide && (r.status === 'committee' || r.status === 'verifying')) {
    forms.push(`<form method="post" action="${action('decide')}">${csrf}<h3>${t.decide}</h3><label>${t.reason}<textarea name="reason" rows="2" style="width:100%;font:inherit"></textarea></label>
<button class="primary" type="submit" name="outcome" value="accepted">${t.accept}</button> <button class="primary" type="submit" name="outcome" value="rejected" style="background:#a4262c">${t.reject}</button></form>`);
  }
  if (can.deliver && r.status === 'accepted') forms.push(`<form method="post" action="${action('delivered')}">${csrf}<button class="primary" type="submit">${t.delivered}</button></form>`);
  return `<section class="card"><h1 dir="ltr" style="text-align:start">${esc(r.reference)}</h1><p>${t.status}: ${esc(t.statuses[r.status] ?? r.status)} · ${t.checks}: ${esc(checkSummary(r.checks, lang))}</p></section>
<section class="card"><h2>${t.data}</h2><table>${rows}</table></section>
<section class="card"><h2>${t.attestation}</h2><p>${esc(r.attestation_text)}</p><p>${t.at} ${esc(r.attested_at)} · ${t.via} ${esc(r.attestation_channel)} · ${t.message} <code>${esc(r.attestation_message_id)}</code></p><p>${t.hash}: <code dir="ltr">${esc(r.attestation_sha256)}</code></p></section>
<section class="card">${forms.join('<hr>')}</section>`;
}
