import { makeSaudiId } from './national-id.ts';
import type { Lang, Rejected, RejectionCode } from './types.ts';

/** Answer types that have an example answer. */
export type ExampleType = 'text' | 'national_id' | 'phone' | 'date' | 'integer' | 'choice' | 'media';

type Params = Record<string, string | number>;
type Render = (p: Params) => string;

const has = (p: Params, key: string): boolean => p[key] !== undefined && p[key] !== '';
const num = (p: Params, key: string): number | undefined => {
  const v = Number(p[key]);
  return has(p, key) && Number.isFinite(v) ? v : undefined;
};

/**
 * An Arabic counted noun with agreement: 1 حرفًا واحدًا, 2 حرفين, 3–10 أحرف, 11–99 حرفًا,
 * round hundreds (and 101, 102…) حرف.
 */
function arCount(n: number, forms: { one: string; two: string; few: string; many: string; hundred: string }): string {
  if (n === 1) return forms.one;
  if (n === 2) return forms.two;
  const lastTwo = Math.abs(n) % 100;
  if (lastTwo >= 3 && lastTwo <= 10) return `${n} ${forms.few}`;
  if (lastTwo >= 11) return `${n} ${forms.many}`;
  return `${n} ${forms.hundred}`;
}
const AR_LETTERS = { one: 'حرفًا واحدًا', two: 'حرفين', few: 'أحرف', many: 'حرفًا', hundred: 'حرف' };
const AR_WORDS = { one: 'كلمة واحدة', two: 'كلمتين', few: 'كلمات', many: 'كلمة', hundred: 'كلمة' };
const enPlural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A country's name from its ISO code (e.g. SA → "المملكة العربية السعودية"), or the code itself. */
function countryName(code: string, lang: Lang): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code;
  } catch {
    return code; // e.g. "+800" for non-geographic numbers
  }
}

const list = (p: Params, key: string): string[] =>
  has(p, key) ? String(p[key]).split(',').map((s) => s.trim()).filter(Boolean) : [];

const CATALOG: Record<RejectionCode, Record<Lang, Render>> = {
  empty: {
    ar: () => 'لم تصلنا إجابتك، فضلاً أرسلها مرة أخرى.',
    en: () => "We didn't receive your answer; please send it again.",
  },
  too_short: {
    ar: (p) => {
      const min = num(p, 'min');
      return min === undefined
        ? 'الإجابة قصيرة جدًا، فضلاً أرسل مزيدًا من التفاصيل.'
        : `الإجابة قصيرة جدًا، فضلاً اكتب ${arCount(min, AR_LETTERS)} على الأقل.`;
    },
    en: (p) => {
      const min = num(p, 'min');
      return min === undefined
        ? 'Your answer is too short; please add more detail.'
        : `Your answer is too short; please write at least ${enPlural(min, 'character')}.`;
    },
  },
  too_long: {
    ar: (p) => {
      const max = num(p, 'max');
      const got = num(p, 'got');
      if (max === undefined) return 'الإجابة طويلة جدًا، فضلاً اختصرها.';
      return `الإجابة طويلة جدًا، الحد الأقصى ${arCount(max, AR_LETTERS)}${got === undefined ? '' : `، وقد أرسلت ${got}`}.`;
    },
    en: (p) => {
      const max = num(p, 'max');
      const got = num(p, 'got');
      if (max === undefined) return 'Your answer is too long; please shorten it.';
      return `Your answer is too long: at most ${enPlural(max, 'character')}${got === undefined ? '' : `, you sent ${got}`}.`;
    },
  },
  too_few_words: {
    ar: (p) => {
      const n = num(p, 'minWords');
      return n === undefined
        ? 'فضلاً اكتب عددًا أكبر من الكلمات.'
        : `فضلاً اكتب ${arCount(n, AR_WORDS)} على الأقل.`;
    },
    en: (p) => {
      const n = num(p, 'minWords');
      return n === undefined ? 'Please write a few more words.' : `Please write at least ${enPlural(n, 'word')}.`;
    },
  },
  letters_only: {
    ar: () => 'فضلاً اكتب بالحروف فقط، دون أرقام أو رموز.',
    en: () => 'Please use letters only, without digits or symbols.',
  },
  id_not_digits: {
    ar: () => 'رقم الهوية يتكوّن من أرقام فقط.',
    en: () => 'The ID number must contain digits only.',
  },
  id_length: {
    ar: (p) => `رقم الهوية يجب أن يتكوّن من 10 أرقام${has(p, 'got') ? `، وقد أرسلت ${p.got}` : ''}.`,
    en: (p) => `The ID number must have 10 digits${has(p, 'got') ? `; you sent ${p.got}` : ''}.`,
  },
  id_prefix: {
    ar: (p) => {
      const allowed = list(p, 'allowed');
      if (allowed.length === 1 && allowed[0] === 'citizen') return 'رقم الهوية الوطنية يبدأ بالرقم 1.';
      if (allowed.length === 1 && allowed[0] === 'resident') return 'رقم الإقامة يبدأ بالرقم 2.';
      return 'رقم الهوية الوطنية يبدأ بالرقم 1، ورقم الإقامة بالرقم 2.';
    },
    en: (p) => {
      const allowed = list(p, 'allowed');
      if (allowed.length === 1 && allowed[0] === 'citizen') return 'A national ID number starts with 1.';
      if (allowed.length === 1 && allowed[0] === 'resident') return 'An iqama number starts with 2.';
      return 'A national ID number starts with 1 and an iqama number with 2.';
    },
  },
  id_checksum: {
    ar: () => 'رقم الهوية غير صحيح، فضلاً تحقّق منه وأعد إرساله.',
    en: () => 'This ID number is not valid; please check it and send it again.',
  },
  phone_invalid: {
    ar: () => 'رقم الجوال غير صحيح، فضلاً تحقّق منه وأعد إرساله.',
    en: () => 'This phone number is not valid; please check it and send it again.',
  },
  phone_not_mobile: {
    ar: () => 'فضلاً أرسل رقم جوال، لا رقم هاتف ثابت.',
    en: () => 'Please send a mobile number, not a landline.',
  },
  phone_country: {
    ar: (p) => {
      const allowed = list(p, 'allowed');
      const from = has(p, 'country') ? ` (الرقم المرسل من ${countryName(String(p.country), 'ar')})` : '';
      if (allowed.length === 0 || (allowed.length === 1 && allowed[0] === 'SA')) {
        return `فضلاً أرسل رقم جوال سعوديًا${from}.`;
      }
      return `فضلاً أرسل رقم جوال من: ${allowed.map((c) => countryName(c, 'ar')).join('، ')}${from}.`;
    },
    en: (p) => {
      const allowed = list(p, 'allowed');
      const from = has(p, 'country') ? ` (the number you sent is from ${countryName(String(p.country), 'en')})` : '';
      if (allowed.length === 0 || (allowed.length === 1 && allowed[0] === 'SA')) {
        return `Please send a Saudi mobile number${from}.`;
      }
      return `Please send a mobile number from ${allowed.map((c) => countryName(c, 'en')).join(', ')}${from}.`;
    },
  },
  date_format: {
    ar: () => 'فضلاً اكتب التاريخ بصيغة يوم/شهر/سنة، مثل 15/03/1410 هـ أو 16/10/1989 م.',
    en: () => 'Please write the date as day/month/year, e.g. 15/03/1410 AH or 16/10/1989.',
  },
  date_invalid: {
    ar: () => 'هذا التاريخ غير موجود في التقويم، فضلاً تحقّق منه.',
    en: () => 'This date does not exist in the calendar; please check it.',
  },
  date_too_early: {
    ar: (p) =>
      has(p, 'bound')
        ? `التاريخ يجب ألا يكون قبل ${p.bound} ${p.calendar === 'hijri' ? 'هـ' : 'م'}.`
        : 'هذا التاريخ مبكر جدًا، فضلاً تحقّق منه.',
    en: (p) =>
      has(p, 'bound')
        ? `The date must not be before ${p.bound}${p.calendar === 'hijri' ? ' AH' : ''}.`
        : 'This date is too early; please check it.',
  },
  date_too_late: {
    ar: (p) =>
      has(p, 'bound')
        ? `التاريخ يجب ألا يكون بعد ${p.bound} ${p.calendar === 'hijri' ? 'هـ' : 'م'}.`
        : 'هذا التاريخ متأخر جدًا، فضلاً تحقّق منه.',
    en: (p) =>
      has(p, 'bound')
        ? `The date must not be after ${p.bound}${p.calendar === 'hijri' ? ' AH' : ''}.`
        : 'This date is too late; please check it.',
  },
  int_format: {
    ar: () => 'فضلاً أرسل عددًا صحيحًا بالأرقام، مثل 3.',
    en: () => 'Please send a whole number, e.g. 3.',
  },
  int_range: {
    ar: (p) => {
      const [min, max] = [num(p, 'min'), num(p, 'max')];
      if (min !== undefined && max !== undefined) return `فضلاً أرسل عددًا من ${min} إلى ${max}.`;
      if (min !== undefined) return `فضلاً أرسل عددًا لا يقل عن ${min}.`;
      if (max !== undefined) return `فضلاً أرسل عددًا لا يزيد على ${max}.`;
      return 'هذا العدد خارج النطاق المقبول.';
    },
    en: (p) => {
      const [min, max] = [num(p, 'min'), num(p, 'max')];
      if (min !== undefined && max !== undefined) return `Please send a number from ${min} to ${max}.`;
      if (min !== undefined) return `Please send a number of at least ${min}.`;
      if (max !== undefined) return `Please send a number of at most ${max}.`;
      return 'This number is out of the accepted range.';
    },
  },
  choice_unknown: {
    ar: (p) => {
      const count = num(p, 'count');
      return count !== undefined && count >= 2
        ? `لم نتعرّف على اختيارك، فضلاً أرسل رقمًا من 1 إلى ${count}.`
        : 'لم نتعرّف على اختيارك، فضلاً اختر أحد الخيارات.';
    },
    en: (p) => {
      const count = num(p, 'count');
      return count !== undefined && count >= 2
        ? `Sorry, we didn't recognise your choice; please reply with a number from 1 to ${count}.`
        : "Sorry, we didn't recognise your choice; please pick one of the options.";
    },
  },
  media_required: {
    ar: () => 'فضلاً أرسل الملف المطلوب مرفقًا.',
    en: () => 'Please send the requested file as an attachment.',
  },
  media_type: {
    ar: (p) => {
      const a = list(p, 'accepted');
      const what =
        a.includes('image') && a.includes('pdf') ? 'صورة أو ملف PDF' : a.includes('pdf') ? 'ملف PDF' : 'صورة';
      return `نوع الملف غير مقبول، فضلاً أرسل ${what}.`;
    },
    en: (p) => {
      const a = list(p, 'accepted');
      const what =
        a.includes('image') && a.includes('pdf') ? 'an image or a PDF' : a.includes('pdf') ? 'a PDF' : 'an image';
      return `This file type is not accepted; please send ${what}.`;
    },
  },
  media_too_large: {
    ar: (p) =>
      has(p, 'maxMb') ? `الملف كبير جدًا، الحد الأقصى ${p.maxMb} ميغابايت.` : 'الملف كبير جدًا، فضلاً أرسل ملفًا أصغر.',
    en: (p) =>
      has(p, 'maxMb') ? `The file is too large; the maximum is ${p.maxMb} MB.` : 'The file is too large; please send a smaller one.',
  },
};

/**
 * One short, polite sentence explaining a rejection in the beneficiary's language, with the
 * rejection's params filled in (missing params give a shorter generic sentence).
 */
export function rejectionReason(rej: Rejected, lang: Lang): string {
  const entry = CATALOG[rej.code] ?? CATALOG.empty;
  return (entry[lang] ?? entry.ar)(rej.params ?? {});
}

const EXAMPLE_ID = makeSaudiId('101234567'); // 1012345672

const EXAMPLES: Record<ExampleType, Record<Lang, string>> = {
  text: { ar: 'مثال: محمد عبدالله الأحمد', en: 'Example: Mohammed Abdullah Alahmad' },
  national_id: { ar: `مثال: ${EXAMPLE_ID}`, en: `Example: ${EXAMPLE_ID}` },
  phone: { ar: 'مثال: 0501234567', en: 'Example: 0501234567' },
  // The two writings are the same day (Umm al-Qura).
  date: { ar: 'مثال: 15/03/1410 هـ أو 1989-10-16', en: 'Example: 15/03/1410 AH or 1989-10-16' },
  integer: { ar: 'مثال: 3', en: 'Example: 3' },
  choice: { ar: 'مثال: 1', en: 'Example: 1' },
  media: { ar: 'مثال: صورة واضحة للمستند أو ملف PDF', en: 'Example: a clear photo of the document, or a PDF' },
};

/** A short example answer for a question type, e.g. "مثال: 0501234567". */
export function defaultExample(type: ExampleType, lang: Lang): string {
  const entry = EXAMPLES[type] ?? EXAMPLES.text;
  return entry[lang] ?? entry.ar;
}
