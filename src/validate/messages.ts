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

/** The ID kinds a field accepts, from a rejection's {allowed} ("citizen,passport,resident"); default ID and iqama. */
function idKinds(p: Params): Set<string> {
  const allowed = list(p, 'allowed');
  return new Set(allowed.length > 0 ? allowed : ['citizen', 'resident']);
}

/** "رقم الهوية أو الإقامة أو جواز السفر" / "national ID, iqama or passport number", for the kinds a field accepts. */
function idNoun(p: Params, lang: Lang): string {
  const kinds = idKinds(p);
  const order = ['citizen', 'resident', 'border', 'passport'].filter((k) => kinds.has(k));
  if (lang === 'ar') {
    const names: Record<string, string> = {
      citizen: order.length === 1 ? 'الهوية الوطنية' : 'الهوية',
      resident: 'الإقامة',
      border: 'الحدود',
      passport: 'جواز السفر',
    };
    return `رقم ${order.map((k) => names[k]).join(' أو ')}`;
  }
  const names: Record<string, string> = { citizen: 'national ID', resident: 'iqama', border: 'border', passport: 'passport' };
  const words = order.map((k) => names[k] ?? k);
  const joined = words.length <= 1 ? (words[0] ?? 'ID') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
  return `${joined} number`;
}

/** The noun for the 10-digit kinds a field accepts (its passport left out): "رقم الهوية أو الإقامة". */
function tenDigitNoun(p: Params, lang: Lang): string {
  const tens = [...idKinds(p)].filter((k) => k !== 'passport');
  return idNoun({ allowed: (tens.length > 0 ? tens : ['citizen', 'resident']).join(',') }, lang);
}

/** Which first digit each 10-digit kind starts with, as one sentence. */
function idPrefixes(p: Params, lang: Lang): string {
  const kinds = idKinds(p);
  const ar: string[] = [];
  const en: string[] = [];
  if (kinds.has('citizen')) (ar.push('رقم الهوية الوطنية يبدأ بالرقم 1'), en.push('a national ID number starts with 1'));
  if (kinds.has('resident')) (ar.push(ar.length ? 'ورقم الإقامة بالرقم 2' : 'رقم الإقامة يبدأ بالرقم 2'), en.push(en.length ? 'an iqama number with 2' : 'an iqama number starts with 2'));
  if (kinds.has('border')) (ar.push(ar.length ? 'ورقم الحدود بالرقم 3 أو 4' : 'رقم الحدود يبدأ بالرقم 3 أو 4'), en.push(en.length ? 'a border number with 3 or 4' : 'a border number starts with 3 or 4'));
  if (lang === 'ar') return `${ar.join('، ')}.`;
  const sentence = en.length <= 1 ? (en[0] ?? '') : `${en.slice(0, -1).join(', ')} and ${en.at(-1)}`;
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

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
    ar: (p) =>
      idKinds(p).has('passport')
        ? `فضلاً أرسل ${tenDigitNoun(p, 'ar')} (10 أرقام) أو رقم جواز السفر كما هو مكتوب فيه، مثل A12345678.`
        : 'رقم الهوية يتكوّن من أرقام فقط.',
    en: (p) =>
      idKinds(p).has('passport')
        ? `Please send your ${tenDigitNoun(p, 'en')} (10 digits) or your passport number as written in it, e.g. A12345678.`
        : 'The ID number must contain digits only.',
  },
  id_length: {
    ar: (p) => {
      const kinds = idKinds(p);
      const noun = kinds.size === 2 && kinds.has('citizen') && kinds.has('resident') ? 'رقم الهوية' : tenDigitNoun(p, 'ar');
      const base = `${noun} يجب أن يتكوّن من 10 أرقام${has(p, 'got') ? `، وقد أرسلت ${p.got}` : ''}.`;
      return kinds.has('passport') ? `${base} ولرقم الجواز اكتب قبله «جواز»، مثل: جواز 123456789.` : base;
    },
    en: (p) => {
      const kinds = idKinds(p);
      const noun = kinds.size === 2 && kinds.has('citizen') && kinds.has('resident') ? 'ID number' : tenDigitNoun(p, 'en');
      const base = `The ${noun} must have 10 digits${has(p, 'got') ? `; you sent ${p.got}` : ''}.`;
      return kinds.has('passport') ? `${base} For a passport, write "passport" before it, e.g. passport 123456789.` : base;
    },
  },
  id_prefix: {
    ar: (p) => idPrefixes(p, 'ar'),
    en: (p) => idPrefixes(p, 'en'),
  },
  id_checksum: {
    ar: () => 'رقم الهوية غير صحيح، فضلاً تحقّق منه وأعد إرساله.',
    en: () => 'This ID number is not valid; please check it and send it again.',
  },
  id_several: {
    ar: (p) => `في رسالتك أكثر من رقم، فضلاً أرسل ${idNoun(p, 'ar')} وحده.`,
    en: (p) => `Your message has more than one number; please send just your ${idNoun(p, 'en')}.`,
  },
  id_is_phone: {
    ar: (p) => `يبدو أن هذا رقم جوال، فضلاً أرسل ${idNoun(p, 'ar')} بدلًا منه.`,
    en: (p) => `This looks like a mobile number; please send your ${idNoun(p, 'en')} instead.`,
  },
  passport_format: {
    ar: () => 'رقم جواز السفر من 6 إلى 9 حروف وأرقام كما هو مكتوب في الجواز، مثل A12345678، ورقم الهوية أو الإقامة 10 أرقام.',
    en: () => 'A passport number has 6 to 9 letters and digits, written as in the passport, e.g. A12345678; an ID or iqama number has 10 digits.',
  },
  phone_invalid: {
    ar: (p) =>
      has(p, 'international')
        ? 'رقم الجوال غير صحيح، فضلاً تحقّق منه. والرقم من خارج السعودية يُكتب مع رمز الدولة، مثل: \u200E+20 10 1234 5678'
        : 'رقم الجوال غير صحيح، فضلاً تحقّق منه وأعد إرساله.',
    en: (p) =>
      has(p, 'international')
        ? 'This phone number is not valid; please check it. A number from outside Saudi Arabia needs its country code, e.g. +20 10 1234 5678.'
        : 'This phone number is not valid; please check it and send it again.',
  },
  phone_several: {
    ar: () => 'في رسالتك أكثر من رقم جوال، فضلاً أرسل رقمًا واحدًا فقط.',
    en: () => 'Your message has more than one phone number; please send just one.',
  },
  phone_is_id: {
    ar: () => 'يبدو أن هذا رقم هوية، فضلاً أرسل رقم جوالك، مثل: 0501234567.',
    en: () => 'This looks like an ID number; please send your mobile number, e.g. 0501234567.',
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
    ar: () => 'فضلاً اكتب التاريخ بصيغة يوم/شهر/سنة، مثل 15/03/1410 هـ أو 14/10/1989 م.',
    en: () => 'Please write the date as day/month/year, e.g. 15/03/1410 AH or 14/10/1989.',
  },
  date_invalid: {
    ar: () => 'هذا التاريخ غير موجود في التقويم، فضلاً تحقّق منه.',
    en: () => 'This date does not exist in the calendar; please check it.',
  },
  date_incomplete: {
    ar: () => 'فضلاً اكتب التاريخ كاملاً: اليوم والشهر والسنة، مثل 12 جمادى الأولى 1410 هـ أو 15/01/1990 م.',
    en: () => 'Please write the full date (day, month and year), e.g. 12 Jumada al-Ula 1410 AH or 15/01/1990.',
  },
  date_ambiguous: {
    ar: () => 'في رسالتك أكثر من تاريخ، فضلاً أرسل تاريخًا واحدًا، مثل 12/05/1410 هـ.',
    en: () => 'Your message has more than one date; please send just one, e.g. 12/05/1410 AH.',
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
  int_several: {
    ar: () => 'في رسالتك أكثر من عدد، فضلاً أرسل عددًا واحدًا، مثل 3.',
    en: () => 'Your message has more than one number; please send just one, e.g. 3.',
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
  date: { ar: 'مثال: 15/03/1410 هـ أو 1989-10-14', en: 'Example: 15/03/1410 AH or 1989-10-14' },
  integer: { ar: 'مثال: 3', en: 'Example: 3' },
  choice: { ar: 'مثال: 1', en: 'Example: 1' },
  media: { ar: 'مثال: صورة واضحة للمستند أو ملف PDF', en: 'Example: a clear photo of the document, or a PDF' },
};

/** A short example answer for a question type, e.g. "مثال: 0501234567". */
export function defaultExample(type: ExampleType, lang: Lang): string {
  const entry = EXAMPLES[type] ?? EXAMPLES.text;
  return entry[lang] ?? entry.ar;
}
