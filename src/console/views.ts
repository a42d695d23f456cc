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
import type { RequestField } from './requests.ts';
import type { CheckResultRow, PersonRecord, RequestDecision, RequestListItem, RequestRecord } from '../store/console.ts';
import type { FormatFor, Formatter } from './format.ts';

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

const R_STATUSES = {
  ar: { submitted: 'مقدّم', verifying: 'قيد التحقق', committee: 'لدى اللجنة', more_info: 'بانتظار تصحيح', accepted: 'مقبول', rejected: 'مرفوض', completed: 'مكتمل' } as Record<string, string>,
  en: { submitted: 'submitted', verifying: 'verifying', committee: 'with the committee', more_info: 'awaiting corrections', accepted: 'accepted', rejected: 'rejected', completed: 'completed' } as Record<string, string>,
};

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
    nav: { inbox: 'صندوق التصعيد', requests: 'الطلبات', people: 'المستفيدون', dashboard: 'لوحة المشرف', whatsapp: 'واتساب' },
    other: 'English',
    account: 'حسابي',
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
    nav: { inbox: 'Inbox', requests: 'Requests', people: 'Beneficiaries', dashboard: 'Dashboard', whatsapp: 'WhatsApp' },
    other: 'العربية',
    account: 'My account',
  },
} as const;

export function layout(lang: Lang, body: string, user?: User): string {
  return render('layout', { lang, t: T[lang], user, body });
}

export function loginPage(lang: Lang, csrfToken: string, failed = false, retryMinutes?: number): string {
  const limited = retryMinutes === undefined ? undefined : P[lang].limited.replace('{n}', String(retryMinutes));
  return render('login', { t: T[lang], csrfToken, failed, limited });
}

/** Why a page or an action could not be served, in the viewer's words, and where to go back to. */
const P = {
  ar: {
    limited: 'محاولات دخول كثيرة. انتظر {n} دقيقة ثم حاول مجددًا، أو اطلب من مدير النظام إعادة تعيين كلمة المرور.',
    titles: { 400: 'تعذّر تنفيذ الطلب', 403: 'ليست لديك صلاحية', 404: 'الصفحة غير موجودة', 409: 'تعذّر تنفيذ الإجراء' } as Record<number, string>,
    messages: {
      'not found': 'لم نجد ما تبحث عنه، أو أنه لا يتبع جمعيتك.',
      forbidden: 'دورك لا يسمح بهذا الإجراء. إن كنت تحتاجه فاطلبه من المشرف.',
      'admins only': 'هذه الصفحة لمدير النظام فقط.',
      'supervisors and admins only': 'هذه الصفحة للمشرفين ومدير النظام فقط.',
      'held by': 'هذه المحادثة مع {name} الآن؛ لا يستلمها غيره حتى يعيدها إلى البوت.',
      'someone else holds this conversation': 'هذه المحادثة مع موظف آخر الآن.',
      'this conversation is not waiting for a person': 'هذه المحادثة لا تنتظر موظفًا (عادت إلى البوت أو انتهت).',
      'claim the conversation first': 'استلم المحادثة أولًا، ثم اكتب ردك.',
      'empty message': 'الرد فارغ؛ اكتب نص الرد.',
      'no such question in the form': 'هذا السؤال ليس في نموذج الطلب.',
      'no such field': 'هذا الحقل ليس في الطلب.',
      'choose at least one field': 'حدّد حقلًا واحدًا على الأقل.',
      'a rejection needs a reason': 'الرفض يحتاج سببًا يُبلَّغ للمستفيد.',
      'request status': 'الطلب الآن «{status}»؛ هذا الإجراء لم يعد متاحًا له.',
      'this record was erased': 'حُذفت بيانات هذا المستفيد.',
      'cross-origin request refused': 'رُفض الطلب لأنه لم يأتِ من صفحات اللوحة.',
    } as Record<string, string>,
    back: { home: 'الصفحة الرئيسية', inbox: 'صندوق التصعيد', conversation: 'المحادثة', requests: 'الطلبات', request: 'الطلب', people: 'المستفيدون', record: 'سجل المستفيد' },
    statuses: R_STATUSES.ar,
  },
  en: {
    limited: 'Too many sign-in attempts. Wait {n} minute(s) and try again, or ask an administrator to reset your password.',
    titles: { 400: 'That could not be done', 403: 'Not allowed', 404: 'Page not found', 409: 'That could not be done' } as Record<number, string>,
    messages: {
      'not found': 'We could not find it, or it does not belong to your association.',
      forbidden: 'Your role does not allow this. Ask a supervisor if you need it.',
      'admins only': 'This page is for administrators only.',
      'supervisors and admins only': 'This page is for supervisors and administrators only.',
      'held by': '{name} holds this conversation now; nobody else can take it until it is handed back to the bot.',
      'someone else holds this conversation': 'Another staff member holds this conversation now.',
      'this conversation is not waiting for a person': 'This conversation is not waiting for a person (it is back with the bot or finished).',
      'claim the conversation first': 'Claim the conversation first, then write your reply.',
      'empty message': 'The reply is empty; write its text.',
      'no such question in the form': 'That question is not in the form.',
      'no such field': 'That field is not in the request.',
      'choose at least one field': 'Tick at least one field.',
      'a rejection needs a reason': 'A rejection needs a reason to tell the beneficiary.',
      'request status': 'The request is now "{status}"; this action is no longer open for it.',
      'this record was erased': 'This person\'s data was erased.',
      'cross-origin request refused': 'Refused: the request did not come from the console\'s own pages.',
    } as Record<string, string>,
    back: { home: 'Home', inbox: 'Inbox', conversation: 'Conversation', requests: 'Requests', request: 'Request', people: 'Beneficiaries', record: 'Beneficiary record' },
    statuses: R_STATUSES.en,
  },
};
export type BackTo = keyof typeof P.ar.back;

/** An error page: what went wrong in the viewer's language (English reason as key), and a link back. */
export function problemPage(lang: Lang, status: number, reason: string, back: { href: string; to: BackTo }, params: Record<string, string> = {}): string {
  const p = P[lang];
  const status_ = /^the request is (\w+)$/.exec(reason)?.[1];
  let message = status_ ? p.messages['request status']!.replace('{status}', p.statuses[status_] ?? status_) : (p.messages[reason] ?? reason);
  for (const [k, v] of Object.entries(params)) message = message.replace(`{${k}}`, v);
  return render('problem', { t: p, status, title: p.titles[status] ?? p.titles[409], message, back: { href: back.href, label: p.back[back.to] }, rtl: lang === 'ar' });
}

export function homePage(lang: Lang, user: User, waiting: Array<{ associationId: string; name: string; waiting: number }>, csrfToken: string): string {
  return render('home', { t: T[lang], user, waiting, csrfToken });
}

const L = {
  ar: {
    inbox: 'بانتظار موظف', none: 'لا محادثات بانتظار أحد.', waitingSince: 'ينتظر منذ', channel: 'القناة', association: 'الجمعية', why: 'السبب', collected: 'إجابات مجمّعة',
    held: 'مع موظف', open: 'فتح', claim: 'استلام المحادثة', reply: 'إرسال الرد', release: 'إعادة إلى البوت', releaseMenu: 'إلى القائمة', releaseForm: 'إلى حيث توقف الطلب', back: 'الصندوق',
    releaseReview: 'إلى مراجعة الطلب', releaseField: 'إلى السؤال:', resolve: 'تمت الإجابة — إنهاء التصعيد', notes: 'ملاحظات داخلية (لا يراها المستفيد)', addNote: 'إضافة ملاحظة', noNotes: 'لا ملاحظات.',
    record: 'سجل المستفيد', live: 'تتحدث تلقائيًا', heldBy: 'مع', heldByName: 'المحادثة مع {name}', heldByYou: 'المحادثة معك', status: { queued: 'في الطابور', sending: 'يُرسل', sent: 'أُرسلت', delivered: 'وصلت', read: 'قُرئت', failed: 'تعذّر الإرسال', unknown: 'غير مؤكد' } as Record<string, string>,
    reasons: { requested: 'طلب موظفًا', repeated_failures: 'تعثّر في سؤال', not_understood: 'لم يُفهم', staff_initiated: 'بمبادرة موظف' } as Record<string, string>,
    who: { beneficiary: 'المستفيد', bot: 'البوت', staff: 'الموظف', system: 'النظام' } as Record<string, string>,
    offered: 'الخيارات المعروضة', pressed: 'ضغط زرًّا', button: 'زر', opened: 'فتح صفحة المحادثة', takeOver: 'استلام المحادثة من {name}', takeOverHelp: 'يُبلَّغ المستفيد بانضمامك، ويتوقف {name} عن الرد عليها.',
  },
  en: {
    inbox: 'Waiting for a person', none: 'Nobody is waiting.', waitingSince: 'Waiting since', channel: 'Channel', association: 'Association', why: 'Why', collected: 'Answers so far',
    held: 'With staff', open: 'Open', claim: 'Claim', reply: 'Send reply', release: 'Hand back to the bot', releaseMenu: 'to the menu', releaseForm: 'where the form stopped', back: 'Inbox',
    releaseReview: 'to the request review', releaseField: 'to the question:', resolve: 'Answered — end the escalation', notes: 'Internal notes (the beneficiary never sees them)', addNote: 'Add note', noNotes: 'No notes.',
    record: 'Beneficiary record', live: 'updates live', heldBy: 'with', heldByName: 'Held by {name}', heldByYou: 'You hold this conversation', status: { queued: 'queued', sending: 'sending', sent: 'sent', delivered: 'delivered', read: 'read', failed: 'not sent', unknown: 'unconfirmed' } as Record<string, string>,
    reasons: { requested: 'asked for a person', repeated_failures: 'stuck on a question', not_understood: 'not understood', staff_initiated: 'staff initiated' } as Record<string, string>,
    who: { beneficiary: 'Beneficiary', bot: 'Bot', staff: 'Staff', system: 'System' } as Record<string, string>,
    offered: 'Options offered', pressed: 'pressed a button', button: 'button', opened: 'opened the chat page', takeOver: 'Take over from {name}', takeOverHelp: 'The beneficiary is told you joined; {name} can no longer reply in it.',
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

type HistoryItem = { direction: string; author: string; body: string; at: string; status: string; choices?: Array<{ id: string; label: string }>; choiceId?: string; opened?: boolean };
type Note = { body: string; createdAt: string; author: string };

/** The live part of a conversation page: its messages and the staff's notes. */
export function conversationLog(lang: Lang, history: HistoryItem[], notes: Note[], f: Formatter): string {
  return render('conversation-log', { t: L[lang], history, notes, f });
}

export function conversationPage(
  lang: Lang,
  c: { id: string; mode: string; assignedStaffId: string | null; channel: string; history: HistoryItem[]; notes: Note[]; resume: Array<{ id: string; label: string; answer: string | undefined; current: boolean }> },
  userId: string,
  csrfToken: string,
  f: Formatter,
  /** The name of the staff member who holds it, when someone does. */
  holder?: string,
  /** The viewer may take it over from another holder (supervisors, admins). */
  canTakeOver = false,
): string {
  return render('conversation', { t: L[lang], lang, c, userId, csrfToken, holder, canTakeOver, log: conversationLog(lang, c.history, c.notes, f) });
}

const D = {
  ar: { title: 'لوحة المشرف', queues: 'الطوابير', queue: 'الطابور', waitingJobs: 'بالانتظار', active: 'قيد التنفيذ', delayed: 'مؤجلة', failed: 'فاشلة', oldest: 'أقدم مهمة (ث)',
    esc: 'التصعيد', waitingNow: 'بانتظار موظف الآن', p50: 'زمن الاستلام p50 (دقيقة)', p90: 'p90 (دقيقة)', breaches: 'تجاوزات المهلة (30 يومًا)', stages: 'الطلبات حسب المرحلة',
    decisions: 'قرارات اللجنة', satisfaction: 'رضا المستفيدين', average: 'المتوسط', responses: 'ردود', comments: 'أحدث التعليقات', dropoff: 'أين يتوقف المستفيدون في الطلب', association: 'الجمعية',
    show: 'عرض', noData: 'لا بيانات بعد.', noComments: 'لا تعليقات بعد.', deployment: 'طوابير النظام كله (كل الجمعيات على هذا الخادم، لا هذه الجمعية وحدها)', noJobs: 'لا مهام بالانتظار ولا فاشلة.',
    chart: { accepted: 'مقبول', rejected: 'مرفوض', stopped: 'توقفوا هنا', ratings: 'عدد التقييمات', requests: 'عدد الطلبات', waiting: 'بالانتظار', failed: 'فاشلة' } },
  en: { title: 'Supervisor dashboard', queues: 'Queues', queue: 'Queue', waitingJobs: 'Waiting', active: 'Active', delayed: 'Delayed', failed: 'Failed', oldest: 'Oldest job (s)',
    esc: 'Escalations', waitingNow: 'Waiting for a person now', p50: 'Pickup p50 (min)', p90: 'p90 (min)', breaches: 'SLA breaches (30 days)', stages: 'Requests by stage',
    decisions: 'Committee decisions', satisfaction: 'Satisfaction', average: 'Average', responses: 'responses', comments: 'Latest comments', dropoff: 'Where beneficiaries stop in the intake', association: 'Association',
    show: 'Show', noData: 'No data yet.', noComments: 'No comments yet.', deployment: 'Queues of the whole deployment (every association on this server, not this association alone)', noJobs: 'No jobs waiting or failed.',
    chart: { accepted: 'accepted', rejected: 'rejected', stopped: 'stopped here', ratings: 'ratings', requests: 'requests', waiting: 'waiting', failed: 'failed' } },
};

export function dashboardPage(lang: Lang, associations: Array<{ id: string; name: string }>, selected: string, data: import('./dashboard.ts').DashboardData, f: Formatter): string {
  const t = D[lang];
  // What each chart has to show; a chart with nothing says so instead of drawing empty axes.
  const has = {
    satisfaction: data.satisfaction.count > 0,
    stages: Object.values(data.requestsByStage).some((n) => n > 0),
    decisions: data.decisionsByDay.length > 0,
    dropoff: data.dropOff.some((d) => d.stopped > 0),
    queues: data.queues.some((q) => q.waiting > 0 || q.failed > 0),
  };
  // Every label the charts draw, in the page's language (the script only places them).
  const labels = {
    ...t.chart,
    stages: Object.fromEntries(Object.keys(data.requestsByStage).map((s) => [s, R_STATUSES[lang][s] ?? s])),
    days: data.decisionsByDay.map((d) => f.date(`${d.day}T12:00:00Z`).replace(/<[^>]+>/g, '')),
  };
  return render('dashboard', { t, associations, selected, data, f, has, esc, charts: { ...data, has, labels } });
}

/** Draws the dashboard's charts from the JSON the page carries (no inline script: CSP). */
export const DASHBOARD_JS = `(() => {
  const data = JSON.parse(document.getElementById('dashboard-data').textContent);
  const L = data.labels;
  const rtl = document.documentElement.dir === 'rtl';
  const green = '#0f5c4d', red = '#a4262c', sand = '#c9a227';
  Chart.defaults.font.family = '"Noto Naskh Arabic", "Segoe UI", Tahoma, sans-serif';
  Chart.defaults.animation = false;
  // A chart with nothing to show has no canvas (the page says "no data yet").
  const bar = (id, labels, datasets, horizontal) => {
    const el = document.getElementById(id);
    if (!el) return;
    new Chart(el, { type: 'bar', data: { labels, datasets }, options: { maintainAspectRatio: false, indexAxis: horizontal ? 'y' : 'x', plugins: { legend: { display: datasets.length > 1, rtl } }, scales: { x: { reverse: rtl && !horizontal }, y: { beginAtZero: true, ticks: { precision: 0 }, position: rtl && horizontal ? 'right' : 'left' } } } });
  };
  bar('chart-satisfaction', ['1', '2', '3', '4', '5'], [{ label: L.ratings, data: data.satisfaction.distribution, backgroundColor: green }]);
  const stages = Object.keys(data.requestsByStage);
  bar('chart-stages', stages.map((s) => L.stages[s] || s), [{ label: L.requests, data: stages.map((s) => data.requestsByStage[s]), backgroundColor: green }]);
  bar('chart-decisions', L.days, [
    { label: L.accepted, data: data.decisionsByDay.map((d) => d.accepted), backgroundColor: green },
    { label: L.rejected, data: data.decisionsByDay.map((d) => d.rejected), backgroundColor: red },
  ]);
  bar('chart-dropoff', data.dropOff.map((d) => d.label), [{ label: L.stopped, data: data.dropOff.map((d) => d.stopped), backgroundColor: sand }], true);
  bar('chart-queues', data.queues.map((q) => q.queue), [
    { label: L.waiting, data: data.queues.map((q) => q.waiting), backgroundColor: green },
    { label: L.failed, data: data.queues.map((q) => q.failed), backgroundColor: red },
  ]);
  document.body.dataset.charts = 'ready';
})();
`;

const R = {
  ar: { requests: 'الطلبات', reference: 'الرقم', status: 'الحالة', submitted: 'قُدّم', checks: 'الفحص الآلي', open: 'فتح', data: 'البيانات', attachment: 'عرض المرفق',
    attestation: 'الإقرار', at: 'في', via: 'عبر', message: 'رسالة', hash: 'بصمة البيانات (sha256)', forward: 'إحالة إلى لجنة البحث', corrections: 'طلب تصحيح الحقول المحددة', note: 'ملاحظة للمستفيد',
    decide: 'قرار اللجنة', accept: 'قبول', reject: 'رفض', reason: 'السبب (مطلوب عند الرفض)', delivered: 'تسجيل تقديم الخدمة (يُرسل استبيان الرضا لاحقًا)', none: 'لا طلبات.', ok: 'سليم', fail: 'يحتاج مراجعة',
    moreInfo: 'طلب معلومات إضافية عن الحقول المحددة', name: 'الاسم', association: 'الجمعية', allStatuses: 'كل الحالات', allAssociations: 'كل جمعياتك', from: 'قُدّم من', to: 'إلى',
    search: 'الرقم أو الاسم', filter: 'تصفية', clearFilter: 'مسح التصفية', shown: 'الطلبات {from}–{to} من {total}', total: 'عدد الطلبات: {total}', prev: 'السابق', next: 'التالي', pageOf: 'صفحة {page} من {pages}', noMatch: 'لا طلبات تطابق التصفية.',
    decision: 'القرار', decidedBy: 'قرّره', decidedAt: 'في', decisionReason: 'السبب', unknownDecider: 'غير مسجّل', outcomes: { accepted: 'القبول', rejected: 'الرفض', completed: 'القبول' } as Record<string, string>, tickHelp: 'حدّد الحقول التي تحتاج تصحيحًا أو معلومات إضافية، ثم استخدم الزر في أسفل الصفحة.', tickField: 'تحديد {field}', verified: 'مطابق', mismatched: 'غير مطابق', clear: 'مسح', check: 'التحقق', person: 'سجل المستفيد',
    statuses: R_STATUSES.ar },
  en: { requests: 'Requests', reference: 'Reference', status: 'Status', submitted: 'Submitted', checks: 'Automated checks', open: 'Open', data: 'Data', attachment: 'View attachment',
    attestation: 'Attestation', at: 'at', via: 'via', message: 'message', hash: 'Data fingerprint (sha256)', forward: 'Forward to the research committee', corrections: 'Ask to correct the ticked fields', note: 'Note to the beneficiary',
    decide: 'Committee decision', accept: 'Accept', reject: 'Reject', reason: 'Reason (required to reject)', delivered: 'Record service delivery (the survey follows)', none: 'No requests.', ok: 'ok', fail: 'needs review',
    moreInfo: 'Ask for more information on the ticked fields', name: 'Name', association: 'Association', allStatuses: 'Every status', allAssociations: 'All your associations', from: 'Submitted from', to: 'to',
    search: 'Reference or name', filter: 'Filter', clearFilter: 'Clear filters', shown: 'Requests {from}–{to} of {total}', total: 'Requests: {total}', prev: 'Previous', next: 'Next', pageOf: 'Page {page} of {pages}', noMatch: 'No request matches these filters.',
    decision: 'Decision', decidedBy: 'Decided by', decidedAt: 'on', decisionReason: 'Reason', unknownDecider: 'not recorded', outcomes: { accepted: 'Accepted', rejected: 'Rejected', completed: 'Accepted' } as Record<string, string>, tickHelp: 'Tick the fields that need correcting or more information, then use the button at the end of the page.', tickField: 'Tick {field}', verified: 'verified', mismatched: 'mismatched', clear: 'clear', check: 'Check', person: 'Beneficiary record',
    statuses: R_STATUSES.en },
};

const checkSummary = (list: CheckResultRow[] | null, lang: Lang) => {
  if (!list) return '—';
  const bad = list.filter((c) => !c.ok);
  return bad.length === 0 ? R[lang].ok : `${R[lang].fail}: ${bad.map((c) => `${c.check}${c.detail ? ` (${c.detail})` : ''}`).join('، ')}`;
};

export interface RequestsView {
  rows: RequestListItem[];
  total: number;
  page: number;
  pageSize: number;
  /** The search term is shown in the form but never put in a link: links carry `searchId`. */
  filter: { status: string; from: string; to: string; association: string; q: string };
  /** The session's id of the search term ('' when there is none). */
  searchId: string;
  associations: Array<{ id: string; name: string }>;
  statuses: string[];
  csrf: string;
}

export function requestsPage(lang: Lang, v: RequestsView, fmt: FormatFor): string {
  const t = R[lang];
  const pages = Math.max(1, Math.ceil(v.total / v.pageSize));
  // A page's link keeps the filters; the search by its session id, never the term itself.
  const href = (page: number) => {
    const { q: _term, ...rest } = v.filter;
    const q = new URLSearchParams(Object.entries({ ...rest, s: v.searchId }).filter(([, value]) => value));
    if (page > 1) q.set('page', String(page));
    const s = q.toString();
    return `/console/requests${s ? `?${s}` : ''}`;
  };
  const first = v.total === 0 ? 0 : (v.page - 1) * v.pageSize + 1;
  const last = Math.min(v.total, v.page * v.pageSize);
  const n = (x: number) => `<bdi>${x}</bdi>`;
  const shown = t.shown.replace('{from}', n(first)).replace('{to}', n(last)).replace('{total}', n(v.total));
  const pageOf = t.pageOf.replace('{page}', n(v.page)).replace('{pages}', n(pages));
  const filtered = Object.values(v.filter).some(Boolean);
  return render('requests', { t, ...v, pages, href, shown, pageOf, filtered, fmt, checkSummary: (checks: CheckResultRow[] | null) => checkSummary(checks, lang) });
}

export function requestPage(
  lang: Lang,
  r: Pick<RequestRecord, 'reference' | 'status' | 'checks' | 'beneficiaryId' | 'name' | 'attestedAt' | 'attestationChannel' | 'attestationMessageId' | 'attestationText' | 'attestationSha256'>,
  fields: RequestField[],
  can: { verify: boolean; decide: boolean; deliver: boolean },
  csrfToken: string,
  f: Formatter,
  /** Who decided, when and why, once the committee has. */
  decision?: RequestDecision,
): string {
  // Which actions this person may take on a request in this status; the template draws them, <hr> between.
  const forms: Array<'forward' | 'corrections' | 'decide' | 'moreInfo' | 'delivered'> = [];
  const verifying = r.status === 'verifying' || r.status === 'submitted';
  // Verifiers check and forward; only a request the committee has gets its decision, and
  // whoever decides (an admin too, often the only account at first) may ask for more information.
  if (can.verify && verifying) forms.push('forward', 'corrections');
  if (can.decide && r.status === 'committee') forms.push('decide', 'moreInfo');
  if (can.deliver && r.status === 'accepted') forms.push('delivered');
  const tick = forms.includes('corrections') || forms.includes('moreInfo');
  const mark = can.verify && ['submitted', 'verifying', 'committee', 'more_info'].includes(r.status);
  return render('request', { t: R[lang], r, fields, can, forms, tick, mark, csrfToken, f, decision, checkSummary: (checks: CheckResultRow[] | null) => checkSummary(checks, lang) });
}

/** The inbox page: the list, inside the element its live stream refreshes. */
export function inboxScreen(lang: Lang, items: Parameters<typeof inboxPage>[1]): string {
  return render('inbox-live', { lang, body: inboxPage(lang, items) });
}

const B = {
  ar: {
    people: 'المستفيدون', searchLabel: 'ابحث برقم الهوية أو الجوال أو رقم الطلب أو الاسم', search: 'بحث', noResults: 'لا نتائج.', name: 'الاسم', association: 'الجمعية', since: 'منذ', open: 'فتح',
    newRecord: 'سجل جديد لمستفيد حضر أو اتصل', newRecordHelp: 'للمستفيدين الذين تواصلوا بالمقابلة أو الهاتف أو الخطاب أو زيارة الفرع. إن وُجد سجل بنفس الهوية أو الجوال فُتح بدل إنشاء سجل مكرر.',
    nationalId: 'رقم الهوية / الإقامة', phone: 'رقم الجوال', create: 'إنشاء السجل',
    errors: { 'invalid national ID': 'رقم الهوية غير صحيح: ١٠ أرقام تبدأ بـ ١ أو ٢، مثل 1012345672.', 'invalid phone number': 'رقم الجوال غير صحيح، مثال: 0501234567.', 'give a name, a national ID or a phone number': 'أدخل الاسم أو رقم الهوية أو الجوال.',
      'write what was said or done': 'اكتب ما دار أو ما تم.', 'the date is not valid': 'التاريخ غير صحيح (ولا يكون في المستقبل).', 'empty note': 'الملاحظة فارغة.',
      'type the confirmation word to erase': 'للحذف اكتب كلمة «حذف» في خانة التأكيد.', 'erasure needs a reason (the request it answers)': 'اكتب سبب الحذف (الطلب الذي يستجيب له).' } as Record<string, string>,
    unnamed: 'مستفيد بلا اسم', erased: 'سجل محذوف', erasedAt: 'حُذفت بيانات هذا المستفيد بناءً على طلبه في', identities: 'هويات القنوات', channel: 'القناة', address: 'المعرّف', lastSeen: 'آخر ظهور', optedOut: 'أوقف الرسائل',
    requests: 'الطلبات', reference: 'الرقم', status: 'الحالة', submitted: 'قُدّم', conversations: 'المحادثات', state: 'الوضع', messages: 'الرسائل', lastActivity: 'آخر نشاط',
    offline: 'التواصل غير الرقمي', noOffline: 'لم يُسجَّل تواصل غير رقمي.', kinds: { interview: 'مقابلة', phone_call: 'اتصال هاتفي', letter: 'خطاب', branch_visit: 'زيارة فرع' } as Record<string, string>,
    kind: 'النوع', direction: 'الاتجاه', fromThem: 'من المستفيد', fromUs: 'من الجمعية', when: 'متى', summary: 'ما دار / ما تم', log: 'تسجيل',
    notes: 'ملاحظات داخلية', addNote: 'إضافة ملاحظة', statuses: R.ar.statuses,
    modes: { new: 'جديدة', menu: 'في القائمة', form: 'يعبّئ الطلب', review: 'يراجع الطلب', waiting_staff: 'بانتظار موظف', with_staff: 'مع موظف', survey: 'في الاستبيان', opted_out: 'أوقف الرسائل' } as Record<string, string>,
    rights: 'حقوق البيانات (نظام حماية البيانات الشخصية)', rightsHelp: 'تصدير كل ما نحتفظ به عن المستفيد، أو حذفه بناءً على طلبه. كل تصدير وحذف يُسجَّل.',
    exportPage: 'عرض كل البيانات', exportJson: 'تنزيل JSON', erase: 'حذف بيانات المستفيد نهائيًا', eraseReason: 'سبب الحذف (الطلب الذي يستجيب له)', eraseType: 'اكتب «حذف» للتأكيد',
    eraseConfirm: 'سيُحذف كل ما يخص هذا المستفيد ولا يمكن التراجع. متابعة؟',
    exportTitle: 'كل ما نحتفظ به عن المستفيد', exportedAt: 'صُدّر في', files: 'الملفات', surveys: 'استبيانات الرضا', accessLog: 'من اطّلع على السجل',
  },
  en: {
    people: 'Beneficiaries', searchLabel: 'Search by national ID, phone, request reference or name', search: 'Search', noResults: 'No results.', name: 'Name', association: 'Association', since: 'Since', open: 'Open',
    newRecord: 'New record for someone who came in or phoned', newRecordHelp: 'For beneficiaries who reached the association by interview, phone, letter or branch visit. A record with the same ID or phone opens instead of a duplicate.',
    nationalId: 'National ID / iqama', phone: 'Mobile number', create: 'Create record',
    errors: { 'invalid national ID': 'The national ID is not valid: 10 digits starting with 1 or 2, e.g. 1012345672.', 'invalid phone number': 'The phone number is not valid, e.g. 0501234567.', 'give a name, a national ID or a phone number': 'Enter a name, a national ID or a phone number.',
      'write what was said or done': 'Write what was said or done.', 'the date is not valid': 'The date is not valid (nor may it be in the future).', 'empty note': 'The note is empty.',
      'type the confirmation word to erase': 'To erase, type the word "erase" in the confirmation box.', 'erasure needs a reason (the request it answers)': 'Write the reason (the request this erasure answers).' } as Record<string, string>,
    unnamed: 'Unnamed beneficiary', erased: 'Erased record', erasedAt: 'This person\'s data was erased at their request on', identities: 'Channel identities', channel: 'Channel', address: 'Identifier', lastSeen: 'Last seen', optedOut: 'opted out',
    requests: 'Requests', reference: 'Reference', status: 'Status', submitted: 'Submitted', conversations: 'Conversations', state: 'State', messages: 'Messages', lastActivity: 'Last activity',
    offline: 'Offline contacts', noOffline: 'No offline contact logged.', kinds: { interview: 'Interview', phone_call: 'Phone call', letter: 'Letter', branch_visit: 'Branch visit' } as Record<string, string>,
    kind: 'Kind', direction: 'Direction', fromThem: 'from the beneficiary', fromUs: 'from the association', when: 'When', summary: 'What was said or done', log: 'Log it',
    notes: 'Internal notes', addNote: 'Add note', statuses: R.en.statuses,
    modes: { new: 'new', menu: 'at the menu', form: 'filling the form', review: 'reviewing the form', waiting_staff: 'waiting for a person', with_staff: 'with staff', survey: 'in the survey', opted_out: 'opted out' } as Record<string, string>,
    rights: 'Data rights (PDPL)', rightsHelp: 'Export everything held about this person, or erase it at their request. Every export and erasure is audited.',
    exportPage: 'View all data', exportJson: 'Download JSON', erase: 'Erase this person\'s data for good', eraseReason: 'Reason (the request this answers)', eraseType: 'Type "erase" to confirm',
    eraseConfirm: 'Everything about this person will be erased, with no undo. Continue?',
    exportTitle: 'Everything held about this person', exportedAt: 'Exported at', files: 'Files', surveys: 'Satisfaction surveys', accessLog: 'Who looked at the record',
  },
};

export function beneficiariesPage(
  lang: Lang,
  v: { associations: Array<{ id: string; name: string }>; csrf: string; query?: string; results?: Array<{ id: string; associationId: string; name: string | null; associationName: string; createdAt: string }>; error?: string },
  fmt: FormatFor,
): string {
  return render('beneficiaries', { t: B[lang], ...v, fmt });
}

export function recordPage(lang: Lang, r: PersonRecord, can: { export: boolean; erase: boolean }, csrf: string, f: Formatter, error?: string): string {
  return render('record', { t: B[lang], r, can, csrf, error, f });
}

export function exportPage(lang: Lang, data: Record<string, unknown>, f: Formatter): string {
  return render('export', { t: B[lang], data, f });
}

const A = {
  ar: {
    title: 'حسابي', namesHelp: 'الاسم الذي يُقال للمستفيد حين تستلم محادثته («انضم إليك … الآن»). إن تركته فارغًا قال البوت «{officer}».',
    nameAr: 'اسمك بالعربية', nameEn: 'اسمك بالإنجليزية', saveNames: 'حفظ الأسماء', saved: 'حُفظ.',
    passwordTitle: 'تغيير كلمة المرور', firstTitle: 'اختر كلمة مرور خاصة بك', firstHelp: 'دخلت بكلمة مرور مؤقتة ظهرت مرة واحدة. اختر كلمة مرورك قبل المتابعة.',
    current: 'كلمة المرور الحالية', next: 'كلمة المرور الجديدة', nextHelp: '١٢ حرفًا على الأقل، مثل: جملة من أربع كلمات تتذكرها.', again: 'أعد كتابة كلمة المرور الجديدة', change: 'تغيير كلمة المرور',
    errors: {
      'wrong current password': 'كلمة المرور الحالية غير صحيحة.',
      'passwords need at least 12 characters': 'كلمة المرور الجديدة قصيرة: ١٢ حرفًا على الأقل، مثل «قهوة الصباح في الحديقة».',
      'choose a password different from the current one': 'اختر كلمة مرور تختلف عن الحالية.',
      'the two new passwords differ': 'كلمتا المرور الجديدتان غير متطابقتين؛ اكتبها مرتين كما هي.',
    } as Record<string, string>,
  },
  en: {
    title: 'My account', namesHelp: 'The name a beneficiary is told when you claim their conversation ("… has joined the conversation"). Left empty, the bot says "{officer}".',
    nameAr: 'Your name in Arabic', nameEn: 'Your name in English', saveNames: 'Save names', saved: 'Saved.',
    passwordTitle: 'Change password', firstTitle: 'Choose your own password', firstHelp: 'You signed in with a temporary password that was shown once. Choose your own before going on.',
    current: 'Current password', next: 'New password', nextHelp: 'At least 12 characters, e.g. four words you will remember.', again: 'New password again', change: 'Change password',
    errors: {
      'wrong current password': 'The current password is not right.',
      'passwords need at least 12 characters': 'The new password is too short: at least 12 characters, e.g. "morning coffee in the garden".',
      'choose a password different from the current one': 'Choose a password different from the current one.',
      'the two new passwords differ': 'The two new passwords differ; type the same one twice.',
    } as Record<string, string>,
  },
};

/** The user's own account: the names beneficiaries are told, and their password (first, when it was a generated one). */
export function accountPage(lang: Lang, v: { user: User; csrf: string; officer: string; mustChange: boolean; error?: string; saved?: boolean }): string {
  return render('account', { t: A[lang], ...v });
}

const W = {
  ar: { title: 'جلسات واتساب (الربط بالهاتف)', help: 'حالة جلسة واتساب ويب لكل جمعية. عند ظهور الرمز: افتح واتساب في هاتف الجمعية ← الأجهزة المرتبطة ← ربط جهاز، وامسح الرمز. تتحدث الصفحة كل ١٠ ثوانٍ.', state: 'الحالة', scan: 'امسح هذا الرمز من هاتف الجمعية:',
    states: { off: 'غير مفعّلة لهذه الجمعية', starting: 'تبدأ…', qr: 'بانتظار مسح الرمز', authenticated: 'تم الربط، تُحمَّل…', ready: 'متصلة', down: 'متوقفة (تُعاد المحاولة)' } as Record<string, string> },
  en: { title: 'WhatsApp sessions (phone pairing)', help: 'The WhatsApp web session of each association. When a code shows: on the association\'s phone open WhatsApp → Linked devices → Link a device, and scan it. The page refreshes every 10 seconds.', state: 'State', scan: 'Scan this code with the association\'s phone:',
    states: { off: 'not enabled for this association', starting: 'starting…', qr: 'waiting for the scan', authenticated: 'linked, loading…', ready: 'connected', down: 'down (retrying)' } as Record<string, string> },
};

export function whatsappPage(lang: Lang, sessions: Array<{ associationId: string; name: string; state: string; qrSvg?: string }>): string {
  return render('whatsapp', { t: W[lang], sessions });
}

/**
 * The console's one script (no inline scripts: CSP): live views refreshed from their event
 * stream, a confirmation before irreversible forms, timed refresh of the WhatsApp page.
 */
export const CONSOLE_JS = `(() => {
  const live = document.getElementById('live');
  if (live && live.dataset.live && window.EventSource) {
    const title = document.title;
    const source = new EventSource(live.dataset.live);
    source.addEventListener('update', (e) => {
      const data = JSON.parse(e.data);
      // Someone claimed or handed back the conversation: the actions on the page changed.
      if (data.mode !== undefined && live.dataset.mode !== undefined && data.mode !== live.dataset.mode) return location.reload();
      const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
      live.innerHTML = data.html;
      live.dataset.updates = String(Number(live.dataset.updates || 0) + 1);
      const waiting = live.querySelectorAll('tr[data-mode="waiting_staff"]').length;
      document.title = waiting ? '(' + waiting + ') ' + title : title;
      if (atBottom && live.dataset.mode !== undefined) window.scrollTo(0, document.body.scrollHeight);
    });
  }
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (e) => { if (!window.confirm(form.dataset.confirm)) e.preventDefault(); });
  }
  const refresh = document.querySelector('[data-refresh]');
  if (refresh) setTimeout(() => location.reload(), Number(refresh.dataset.refresh) * 1000);
})();
`;
