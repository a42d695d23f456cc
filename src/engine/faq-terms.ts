/**
 * The meaning-bearing words of a question, for FAQ matching: normalised (matchKey), function
 * words removed (MSA, Gulf and English), then lightly stemmed — Arabic clitics and affixes
 * (و، ف، ال، بال، لل … then one of ها، هم، ات، ون، ين، ي …), English plural and verb endings.
 *
 * Words that ask for a person, the status, the menu or a stop ("موظف", "اكلم", "agent") are
 * not meaning-bearing here: those requests are intents handled before the FAQ, and must not
 * be read as a question about it. Nor are the words every question here shares (طلب، رقم,
 * request, number, before/after), which on their own point to no entry.
 */
import { matchKey } from '../text/normalize.ts';

/** Arabic function words, after matchKey (أ→ا، ة→ه، ى→ي): question words, pronouns, particles, Gulf fillers. */
const AR_STOP = `
وش ايش اش شو ويش واش شنو كيف كيفيه هل ابي ابغي ابغى ابغا ابا ابى ودي اريد اود بغيت حاب ابيكم
عندي عندك عندكم عندنا لدي لديكم ممكن يمكن يمكنني استطيع اقدر اقدرو نقدر تقدر لو سمحت سمحتو فضلك فضلكم رجاء
من مين منو في فيه فيها على علي عليه علينا الى الي الا عن مع ما ماذا متى امتى وين اين ليش لماذا ليه كم قديش
هو هي هم انا انت انتي انتم احنا نحن هذا هذي هذه هاذا هاذي ذا ذلك تلك اللي التي الذي الذين او ام و ف ثم بس
يا لي لك له لها لهم لكم لنا بي بك به بها بكم فيكم معكم منكم اذا ان انه انها لان لانه عشان علشان حتى اي ايه اية
كل بعض غير لازم ضروري يعني طيب تمام اوكي اوك نعم لا لاء ايوه ايوا اكيد صح شكرا مشكور مشكورين جزاك جزاكم
الله خير خيرا السلام سلام عليكم وعليكم مرحبا مرحبتين اهلا هلا هلا والله يعطيك يعطيكم العافيه الحين الان الحين
قد كان كانت يكون تكون صار يصير اصير تصير نصير صارت راح رح بيكون زي مثل شي شيء اشياء حق حقت تبع تبعي هنا هناك كذا
اسوي تسوي يسوي نسوي سوي اعرف تبون تبي يبي نبي تبغون تبغى تبونه تبونها تبغونه
موظف موظفه الموظف موظفين اكلم اكلمكم كلم كلموني تكلم اتكلم اتحدث التحدث محادثه احد شخص انسان بشري
قائمه القائمه رجوع ارجع توقف وقف اوقف ايقاف الغاء رسايل الرسايل تراسلوني تراسلني راسلوني وصل
حاله الحاله حالتي حالته طلب طلبي الطلب طلبات طلباتي طلبك رقم رقمي الرقم قبل بعد سوال سوالي السوال استفسار
اكتب اكتبه اكتبها فهمت
`;

const EN_STOP = `
a an the and or but if of to in on at by for with from about as into than then so
i me my mine myself we us our you your yours he him his she her they them their it its this that these those
is am are was were be been being do does did doing have has had having will would shall should can could may might must
what whats what's which who whom whose when where why how there here
please pls plz hi hello hey thanks thank ok okay yes yeah yep no nope not dont don't im i'm id i'd ive i've want wanna
get got let lets let's tell know any some all just also very really much many more
agent human person someone somebody staff talk speak chat representative operator menu stop status back
request requests number after before question
`;

const STOP = new Set([...AR_STOP.split(/\s+/), ...EN_STOP.split(/\s+/)].map((w) => matchKey(w)).filter(Boolean));

// Arabic prefixes, longest first: conjunction/preposition + article, article, then one clitic.
// هال is the Gulf demonstrative (هالسياسة = this policy).
const AR_ARTICLE = ['وبال', 'وال', 'بال', 'كال', 'فال', 'هال', 'لل', 'ال'];
const AR_SUFFIXES = ['كموها', 'تموها', 'كمو', 'تمو', 'هما', 'كما', 'ها', 'هم', 'هن', 'كم', 'كن', 'نا', 'ني', 'ات', 'ون', 'ين', 'ان', 'وا', 'ه', 'ي', 'ك'];

const PRONOUNS = new Set(['ها', 'هم', 'هن', 'كم', 'كن', 'نا', 'ي', 'ك']);
const PLURALS = ['ات', 'ون', 'ين'];

const ARABIC = /[\u0600-\u06FF]/;

function len(s: string): number {
  return Array.from(s).length;
}

/** Light Arabic stem (in the spirit of Light10): leading و/ف, the article, one or two suffixes. */
export function stemArabic(word: string): string {
  let w = word;
  // و/ف before the article is a conjunction (والتسجيل، فالطلب); elsewhere it is often the word's
  // own first letter (وسائل، فاتحين), left to the matcher's one-letter-prefix rule.
  if ((w.startsWith('و') || w.startsWith('ف')) && AR_ARTICLE.some((p) => w.startsWith(p, 1)) && len(w) >= 5) w = w.slice(1);
  for (const p of AR_ARTICLE) {
    if (w.startsWith(p) && len(w) - len(p) >= 2) {
      w = w.slice(p.length);
      break;
    }
  }
  // One suffix only: a second pass turns جمعيه into جمع (= الجمعة, Friday). A single ب/ل/ك in
  // front is left to the matcher (بصحه ~ صحه), since stripping it breaks بيانات، لائحه.
  const suffix = AR_SUFFIXES.find((s) => w.endsWith(s) && len(w) - len(s) >= 3);
  if (suffix) {
    w = w.slice(0, w.length - suffix.length);
    // A pronoun after a plural (طلباتي، تساؤلاتي): the plural goes too.
    if (PRONOUNS.has(suffix)) {
      const plural = PLURALS.find((s) => w.endsWith(s) && len(w) - len(s) >= 3);
      if (plural) w = w.slice(0, w.length - plural.length);
    }
  }
  return w;
}

/** Light English stem: plural and verb endings (documents → document, applying → apply). */
export function stemEnglish(word: string): string {
  let w = word.replace(/'s$/, '');
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith('es') && /(ss|sh|ch|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  if (w.endsWith('y') && w.length > 3) w = `${w.slice(0, -1)}i`;
  return w;
}

/** True for a word that carries no meaning for FAQ matching (function word, intent word, digits only). */
export function isStopWord(key: string): boolean {
  return STOP.has(key) || /^\d+$/.test(key);
}

/** The meaning-bearing words of a text, normalised but not stemmed. */
export function faqWords(text: string): string[] {
  const key = matchKey(text);
  return key === '' ? [] : key.split(' ').filter((w) => !isStopWord(w));
}

/**
 * Words that mean the same here, written as their stems: each maps to the first of its group.
 * Only groups whose words point to the same answer in every flow (a synonym that would join
 * two entries — هدف/اهداف, التقديم/التسجيل — is left out).
 */
const SYNONYM_GROUPS: string[][] = [
  ['مستند', 'مستندات', 'اوراق', 'ورق', 'وثايق', 'وثيقه', 'document', 'paper', 'paperwork'],
  ['قبول', 'انقبل', 'انقبلت', 'قبلت', 'قبلتو', 'قبلو', 'مقبول', 'accept', 'accepted'],
  ['رفض', 'انرفض', 'اترفض', 'رفضت', 'رفضو', 'مرفوض', 'reject', 'rejected'],
  ['دوام', 'تداوم', 'تداومو', 'يداوم', 'داوم'],
  ['فاتح', 'مفتوح', 'تفتح', 'فتح', 'open'],
  ['تقفل', 'قافل', 'مقفل', 'تسكر', 'close', 'closed'],
  ['تطوع', 'متطوع', 'اتطوع', 'تطوعي', 'volunteer', 'volunteering'],
  ['تقييم', 'اقيم', 'قيم', 'rate', 'rating'],
  ['مسؤول', 'مسوول', 'responsible', 'liable'],
];
const SYNONYM = new Map<string, string>();
for (const group of SYNONYM_GROUPS) {
  for (const word of group) {
    const key = matchKey(word);
    SYNONYM.set(ARABIC.test(key) ? stemArabic(key) : stemEnglish(key), group[0]!);
  }
}

/** The stemmed meaning-bearing words of a text, in order (duplicates kept). */
export function faqTerms(text: string): string[] {
  const key = matchKey(text);
  if (key === '') return [];
  const out: string[] = [];
  for (const word of key.split(' ')) {
    if (isStopWord(word)) continue;
    const stemmed = ARABIC.test(word) ? stemArabic(word) : stemEnglish(word);
    if (stemmed.length > 0 && !isStopWord(stemmed)) out.push(SYNONYM.get(stemmed) ?? stemmed);
  }
  return out;
}
