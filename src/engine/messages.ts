/**
 * The engine's own words, in Arabic and English. Association-specific words (names, the
 * audience term, the officer, the committee period) come from the flow and fill the
 * {placeholders}. Kept short: a reply may travel by SMS.
 */
import type { Lang } from './types.ts';

const CATALOG = {
  menu_hint: {
    ar: 'اختر رقم الخدمة:',
    en: 'Choose a number:',
  },
  language_switched: {
    ar: 'تم التحويل إلى اللغة العربية.',
    en: 'Switched to English.',
  },
  not_understood: {
    ar: 'عذرًا، لم أفهم رسالتك. اختر من القائمة برقم الخدمة، أو اكتب سؤالك بكلمات أخرى.',
    en: "Sorry, I didn't understand. Choose a number from the menu, or ask your question in other words.",
    sms: { ar: 'عذرًا، لم أفهم. أرسل رقم الخدمة أو اكتب سؤالك بكلمات أخرى.' },
  },
  offer_agent: {
    ar: 'يبدو أن هذه الخطوة غير واضحة. هل تريد التحدث مع {officer}؟',
    en: 'This step seems unclear. Would you like to talk to the {officer}?',
  },
  offer_agent_yes: { ar: 'نعم، حوّلني إليه', en: 'Yes, connect me' },
  offer_agent_no: { ar: 'لا، سأحاول مرة أخرى', en: "No, I'll try again" },
  escalated_open: {
    ar: 'تم تحويل محادثتك إلى {officer}، وسيرد عليك هنا في أقرب وقت. يمكنك كتابة تفاصيل استفسارك الآن.',
    en: 'Your conversation has been passed to the {officer}, who will reply here soon. You can write the details of your question now.',
  },
  escalated_closed: {
    ar: 'تم تحويل محادثتك إلى {officer}. نحن الآن خارج ساعات العمل ({hours})، وسيرد عليك في أول يوم عمل. يمكنك كتابة تفاصيل استفسارك الآن.',
    en: 'Your conversation has been passed to the {officer}. We are outside working hours ({hours}); you will get a reply on the next working day. You can write the details of your question now.',
    sms: {
      ar: 'تم تحويلك إلى {officer}. نحن خارج ساعات العمل ({hours})، وسيرد عليك في أول يوم عمل. يمكنك كتابة استفسارك الآن.',
      en: 'Passed to the {officer}. We are outside working hours ({hours}); you will get a reply on the next working day. You can write your question now.',
    },
  },
  escalated_working_hours: {
    ar: 'تم تحويل محادثتك إلى {officer}، وسيرد عليك هنا خلال ساعات العمل. يمكنك كتابة تفاصيل استفسارك الآن.',
    en: 'Your conversation has been passed to the {officer}, who will reply here during working hours. You can write the details of your question now.',
  },
  waiting_ack: {
    ar: 'وصلت رسالتك، وسيطّلع عليها {officer}. لإلغاء الانتظار والعودة للقائمة اكتب: القائمة',
    en: 'Your message was received and the {officer} will read it. To stop waiting and return to the menu, send: menu',
  },
  already_waiting: {
    ar: 'محادثتك بانتظار {officer} بالفعل، وسيرد عليك قريبًا.',
    en: 'Your conversation is already waiting for the {officer}, who will reply soon.',
  },
  escalation_cancelled: {
    ar: 'تم إلغاء طلب التحدث مع {officer}.',
    en: 'Your request to talk to the {officer} was cancelled.',
  },
  staff_joined: {
    ar: 'انضم إليك {who} الآن.',
    en: '{who} has joined the conversation.',
  },
  /** When no name can be given, the officer's title. */
  officer_joined: {
    ar: 'انضم إليك {officer} الآن.',
    en: 'The {officer} has joined the conversation.',
  },
  staff_released: {
    ar: 'شكرًا لك. نكمل معك الآن.',
    en: "Thank you. Let's continue.",
  },
  staff_resolved: {
    ar: 'تم إغلاق المحادثة مع {officer}. نسعد بخدمتك دائمًا، واكتب «القائمة» متى شئت.',
    en: 'Your conversation with the {officer} is closed. We are always glad to help; send "menu" at any time.',
  },
  form_resumed: {
    ar: 'نكمل طلبك المحفوظ ({done} من {total}).',
    en: "Let's continue your saved request ({done} of {total}).",
  },
  form_incomplete: {
    ar: 'بقيت بيانات مطلوبة لم تُستكمل بعد، فلنكملها الآن.',
    en: "Some required details are still missing; let's complete them now.",
  },
  welcome_back: {
    ar: 'أهلًا بعودتك. لديك {form} لم يكتمل ({done} من {total}) وقد حفظناه لك.',
    en: 'Welcome back. Your {form} is saved and not finished yet ({done} of {total}).',
  },
  reminder_form: {
    ar: 'تذكير لطيف: {form} لم يكتمل بعد، وبياناتك محفوظة. متى ما كنت مستعدًا أكمل من حيث توقفت.',
    en: 'A gentle reminder: your {form} is not finished yet and your answers are saved. Continue whenever you are ready.',
  },
  skip_hint: {
    ar: '(اختياري: اكتب «تخطي» للتجاوز)',
    en: '(optional: send "skip" to leave it out)',
  },
  media_not_here: {
    ar: 'شكرًا، لكن هذه الخطوة لا تحتاج مرفقًا. الرجاء كتابة الإجابة نصًا.',
    en: "Thank you, but this step doesn't need an attachment. Please type the answer.",
  },
  media_received: {
    ar: 'تم استلام المرفق.',
    en: 'Attachment received.',
  },
  example: { ar: 'مثال: {example}', en: 'Example: {example}' },
  review_intro: {
    ar: 'الرجاء مراجعة بياناتك:',
    en: 'Please review your details:',
  },
  review_confirm: { ar: 'أؤكد صحة البيانات', en: 'I confirm' },
  review_correct: { ar: 'تعديل بيان', en: 'Correct a detail' },
  review_volunteer_confirm: { ar: 'تأكيد التسجيل', en: 'Confirm registration' },
  review_choose: {
    ar: 'اختر: 1 للتأكيد، أو 2 لتعديل بيان.',
    en: 'Choose 1 to confirm, or 2 to correct a detail.',
  },
  pick_correction: {
    ar: 'ما البيان الذي تريد تعديله؟ أرسل رقمه.',
    en: 'Which detail do you want to correct? Send its number.',
  },
  skipped: { ar: '(لم يُذكر)', en: '(not given)' },
  attachment: { ar: 'مرفق', en: 'attachment' },
  volunteer_done: {
    ar: 'شكرًا لرغبتك في التطوع مع {org}. تم تسجيلك برقم {reference}، وسيتواصل معك فريق التطوع قريبًا.',
    en: 'Thank you for volunteering with {org}. You are registered under {reference}; our volunteering team will contact you soon.',
  },
  corrections_intro: {
    ar: 'طلبك رقم {reference} يحتاج إلى استكمال البيانات التالية: {fields}.',
    en: 'Your request {reference} needs these details again: {fields}.',
  },
  corrections_done: {
    ar: 'شكرًا لك. تم إرسال البيانات المستكملة لطلبك رقم {reference}، وسيستمر في إجراءاته.',
    en: 'Thank you. The completed details of request {reference} were sent and it continues on its way.',
  },
  decision_accepted: {
    ar: 'يسعدنا إبلاغك بأن {committee} وافقت على طلبك رقم {reference}. سنتواصل معك لاستكمال إجراءات التسجيل وتقديم الخدمة.',
    en: 'We are glad to tell you that the {committee} accepted your request {reference}. We will contact you to complete registration and provide the service.',
  },
  decision_rejected: {
    ar: 'نأسف لإبلاغك بأن {committee} لم توافق على طلبك رقم {reference}. السبب: {reason}. للاستفسار اكتب «موظف».',
    en: 'We are sorry to tell you that the {committee} did not accept your request {reference}. Reason: {reason}. For questions, send "agent".',
  },
  status_none: {
    ar: 'لا توجد لديك طلبات مقدّمة حتى الآن.',
    en: 'You have no submitted requests yet.',
  },
  status_header: { ar: 'طلباتك:', en: 'Your requests:' },
  status_line: { ar: '• {reference}: {status} (قُدّم {date})', en: '• {reference}: {status} (submitted {date})' },
  status_draft: {
    ar: 'لديك {form} لم يكتمل ({done} من {total}). اختر «{apply}» من القائمة لإكماله.',
    en: 'You have an unfinished {form} ({done} of {total}). Choose "{apply}" in the menu to continue.',
  },
  opted_out: {
    ar: 'تم إيقاف الرسائل. لن نرسل لك رسائل تذكير أو استبيانات. لإعادة التفعيل أرسل: ابدأ',
    en: 'Messages are stopped: no reminders or surveys will be sent. To start again, send: START',
  },
  input_cut: {
    ar: 'رسالتك طويلة جدًا، فأخذنا أول {max} حرف منها فقط.',
    en: 'Your message was very long, so we kept only its first {max} characters.',
  },
  opted_out_notice: {
    ar: 'الرسائل موقوفة حاليًا بطلبك. لإعادة التفعيل أرسل: ابدأ',
    en: 'Messages are stopped at your request. To start again, send: START',
  },
  opted_in: {
    ar: 'تم تفعيل الرسائل من جديد. أهلًا بك.',
    en: 'Messages are on again. Welcome back.',
  },
  survey_reminder: {
    ar: 'تذكير: رأيك يهمنا. بقي سؤال أو أكثر في استبيان الرضا.',
    en: 'A reminder: your opinion matters to us. The satisfaction survey is waiting for you.',
  },
  rating_legend: {
    ar: '(1 = {low}، {scale} = {high})',
    en: '(1 = {low}, {scale} = {high})',
  },
  rating_range: {
    ar: '(من 1 إلى {scale})',
    en: '(from 1 to {scale})',
  },
  survey_rating_reason: {
    ar: 'الرجاء اختيار رقم من 1 إلى {scale}.',
    en: 'Please choose a number from 1 to {scale}.',
  },
  survey_offer: {
    ar: 'نود معرفة رأيك في خدمتنا. أرسل «نعم» للمشاركة في استبيان قصير.',
    en: 'We would like your opinion of our service. Send "yes" to answer a short survey.',
  },
  engine_error: {
    ar: 'عذرًا، حدث خطأ لدينا. اكتب «القائمة» للبدء من جديد أو «موظف» للتحدث مع {officer}.',
    en: 'Sorry, something went wrong on our side. Send "menu" to start again or "agent" to talk to the {officer}.',
  },
  faq_list: {
    ar: 'الأسئلة الشائعة — أرسل رقم السؤال أو اكتب سؤالك:',
    en: 'Frequently asked questions — send a number or type your question:',
    sms: { ar: 'أرسل رقم السؤال:', en: 'FAQ: send a number or type your question:' },
  },
  faq_did_you_mean: { ar: 'هل تقصد:', en: 'Did you mean:' },
  anything_else: {
    ar: 'هل من خدمة أخرى؟ اكتب «القائمة» لعرض الخدمات.',
    en: 'Anything else? Send "menu" to see the services.',
    sms: { ar: 'خدمة أخرى؟ اكتب «القائمة».', en: 'Anything else? Send "menu".' },
  },
  greeting_reply: { ar: 'وعليكم السلام، أهلًا بك.', en: 'Hello, and welcome.' },
  thanks_reply: { ar: 'العفو، حيّاك الله.', en: "You're welcome." },
  help_menu: {
    ar: 'اختر الخدمة برقمها من القائمة، أو اكتب سؤالك بكلماتك.',
    en: 'Pick a service by its number, or type your question in your own words.',
  },
  help_field: { ar: 'المطلوب هنا: {label}.', en: 'This step asks for: {label}.' },
  clarify_question: { ar: 'هل تقصد: {first}؟ أم {second}؟', en: 'Did you mean: {first}? Or {second}?' },
  intent_agent: { ar: 'التحدث مع {officer}', en: 'Talk to the {officer}' },
  intent_menu: { ar: 'العودة إلى القائمة', en: 'Back to the menu' },
  intent_stop: { ar: 'إيقاف الرسائل', en: 'Stop messages' },
  intent_status: { ar: 'حالة طلبي', en: 'My request status' },
  intent_no: { ar: 'لا، أكمل', en: 'No, carry on' },
  intent_yes: { ar: 'نعم', en: 'Yes' },
  choice_stale: {
    ar: 'هذا الخيار لم يعد متاحًا في هذه الخطوة.',
    en: 'That choice is no longer open at this step.',
  },
} as const satisfies Record<string, Record<Lang, string> & { sms?: Partial<Record<Lang, string>> }>;

export type MessageKey = keyof typeof CATALOG;

const STATUS_LABELS: Record<string, Record<Lang, string>> = {
  submitted: { ar: 'تم الاستلام، بانتظار التحقق', en: 'received, awaiting verification' },
  verifying: { ar: 'قيد التحقق من البيانات', en: 'details being verified' },
  verified: { ar: 'تم التحقق، بانتظار لجنة البحث', en: 'verified, awaiting the research committee' },
  committee: { ar: 'لدى لجنة البحث للدراسة', en: 'with the research committee' },
  more_info: { ar: 'يحتاج إلى استكمال بيانات', en: 'more information needed' },
  accepted: { ar: 'مقبول', en: 'accepted' },
  rejected: { ar: 'غير مقبول', en: 'not accepted' },
  completed: { ar: 'اكتمل التسجيل', en: 'registration completed' },
  withdrawn: { ar: 'مسحوب', en: 'withdrawn' },
};

const WEEKDAYS: Record<string, Record<Lang, string>> = {
  sun: { ar: 'الأحد', en: 'Sunday' },
  mon: { ar: 'الاثنين', en: 'Monday' },
  tue: { ar: 'الثلاثاء', en: 'Tuesday' },
  wed: { ar: 'الأربعاء', en: 'Wednesday' },
  thu: { ar: 'الخميس', en: 'Thursday' },
  fri: { ar: 'الجمعة', en: 'Friday' },
  sat: { ar: 'السبت', en: 'Saturday' },
};

/** The channel whose texts have shorter wordings (every part of a reply is paid). */
export const SMS_CHANNEL = 'sms';

/**
 * A text in a language as a channel shows it: on SMS its `sms` wording when it has one for
 * that language, elsewhere (and without one) the text itself.
 */
export function pickText(text: { ar: string; en: string; sms?: { ar?: string | undefined; en?: string | undefined } | undefined }, lang: Lang, channel?: string): string {
  return (channel === SMS_CHANNEL ? text.sms?.[lang] : undefined) ?? text[lang];
}

/** Fills {placeholders}; unknown ones stay visible so a missing value is noticed, not hidden. */
export function fill(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** One catalog message in a language, in its SMS wording on SMS where it has one. */
export function say(key: MessageKey, lang: Lang, params?: Record<string, string | number>, channel?: string): string {
  return fill(pickText(CATALOG[key], lang, channel), params);
}

/** Every catalog key, for the SMS parts check (`tawasul flows check`). */
export const MESSAGE_KEYS = Object.keys(CATALOG) as MessageKey[];

export function statusLabel(status: string, lang: Lang): string {
  return STATUS_LABELS[status]?.[lang] ?? status;
}

export function weekdayLabel(day: string, lang: Lang): string {
  return WEEKDAYS[day]?.[lang] ?? day;
}
