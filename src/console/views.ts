/**
 * Console pages as functions of their data, rendered by the Eta templates in ./templates.
 * Templates print values with `<%= %>`, which escapes through `esc` (autoEscape): a
 * beneficiary's `<script>` is shown as text. Raw `<%~ %>` is left for HTML that is already
 * rendered (the page inside the layout) and the dashboard's JSON (its `<` written as \u003c).
 * The translation tables stay here; each page's template gets its table as `it.t`.
 */
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { User } from './accounts.ts';
import { esc } from '../server/html.ts';

export type Lang = 'ar' | 'en';

export { esc };

/** One shared instance: templates are read from src/console/templates at first use, then cached. */
const eta = new Eta({
  views: fileURLToPath(new URL('./templates', import.meta.url)),
  autoEscape: true,
  escapeFunction: esc, // the project's one escaper (null and undefined print as nothing)
  cache: true,
});

/** Renders `templates/<name>.eta`; the file's closing newline is not part of the page. */
const render = (name: string, data: object): string => eta.render(name, data).replace(/\n$/, '');

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
    nav: { inbox: 'صندوق التصعيد', requests: 'الطلبات', dashboard: 'لوحة المشرف' },
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
    nav: { inbox: 'Inbox', requests: 'Requests', dashboard: 'Dashboard' },
    other: 'العربية',
  },
} as const;

export function layout(lang: Lang, body: string, user?: User): string {
  return render('layout', { lang, t: T[lang], user, body });
}

export function loginPage(lang: Lang, csrfToken: string, failed = false): string {
  return render('login', { t: T[lang], csrfToken, failed });
}

export function homePage(lang: Lang, user: User, waiting: Array<{ associationId: string; name: string; waiting: number }>, csrfToken: string): string {
  return render('home', { t: T[lang], user, waiting, csrfToken });
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
  return render('inbox', { t: L[lang], items, minutesSince });
}

export function conversationPage(lang: Lang, c: { id: string; mode: string; assigned_staff_id: string | null; history: Array<{ direction: string; author: string; body: string; at: string }> }, userId: string, csrfToken: string): string {
  return render('conversation', { t: L[lang], c, userId, csrfToken });
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
  return render('dashboard', { t: D[lang], associations, selected, data });
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
  return render('requests', { t: R[lang], rows, checkSummary: (checks: string | null) => checkSummary(checks, lang) });
}

export function requestPage(
  lang: Lang,
  r: { reference: string; status: string; checks: string | null; attested_at: string; attestation_channel: string; attestation_message_id: string; attestation_text: string; attestation_sha256: string },
  fields: Array<{ id: string; label: string; display: string; mediaId?: string }>,
  can: { verify: boolean; decide: boolean; deliver: boolean },
  csrfToken: string,
): string {
  // Which actions this person may take on a request in this status; the template draws them, <hr> between.
  const forms: Array<'forward' | 'corrections' | 'decide' | 'delivered'> = [];
  if (can.verify && (r.status === 'verifying' || r.status === 'submitted')) forms.push('forward', 'corrections');
  if (can.decide && (r.status === 'committee' || r.status === 'verifying')) forms.push('decide');
  if (can.deliver && r.status === 'accepted') forms.push('delivered');
  return render('request', { t: R[lang], r, fields, can, forms, csrfToken, checkSummary: (checks: string | null) => checkSummary(checks, lang) });
}
