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
يحدث يحصل تحدث صاير يصيرله يصيرلي صاير صايره وشو ايشو شنهو شلون كيفه ولا والا
بالضبط بالزبط تحديدا بالتحديد معي معاي ارغب نرغب اتمني ودي ودنا نبغى نبي حقكم حقتكم عندكم
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
happen happens happened happening exactly once next ur u r guys
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
  // what's → "what s": a Latin letter alone is no word.
  return STOP.has(key) || /^\d+$/.test(key) || /^[a-z]$/.test(key);
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
  ['قبول', 'انقبل', 'انقبلت', 'قبلت', 'قبلتو', 'قبلو', 'مقبول', 'يوافق', 'توافق', 'يوافقو', 'توافقو', 'وافقتو', 'accept', 'accepted'],
  ['رفض', 'انرفض', 'اترفض', 'رفضت', 'رفضو', 'مرفوض', 'reject', 'rejected'],
  ['دوام', 'تداوم', 'تداومو', 'يداوم', 'داوم'],
  ['فاتح', 'مفتوح', 'تفتح', 'فتح', 'open'],
  ['تقفل', 'قافل', 'مقفل', 'تسكر', 'close', 'closed'],
  ['تطوع', 'متطوع', 'اتطوع', 'تطوعي', 'volunteer', 'volunteering'],
  ['شكوي', 'اشتكي', 'نشتكي', 'شكاوي', 'complaint', 'complain'],
  ['تقييم', 'اقيم', 'قيم', 'قيمت', 'نقيم', 'تقيمو', 'rate', 'rating', 'evaluate', 'evaluation'],
  // A call or a phone: the channels (رقم alone is too common: "رقم الطلب" asks the status).
  ['اتصال', 'هاتف', 'تلفون', 'تليفون', 'اتصل', 'اتصالات', 'phone', 'telephone', 'call', 'contact'],
  // The social-media accounts by name.
  ['تواصل', 'تويتر', 'انستقرام', 'انستغرام', 'انستا', 'سناب', 'سنابشات', 'فيسبوك', 'فيس', 'تيك', 'تيكتوك', 'واتس', 'واتساب', 'twitter', 'instagram', 'snapchat', 'snap', 'facebook', 'tiktok', 'whatsapp', 'touch'],
  // A reply from the association (تردون، يردون).
  ['رد', 'ترد', 'يرد', 'تردو', 'يردو', 'ردكم', 'reply', 'respond', 'response'],
  // The committee studying a request.
  ['دراسه', 'يدرس', 'تدرس', 'يدرسو', 'تدرسو', 'يدرسونه', 'study'],
  // Something typed wrong.
  ['غلط', 'خطا', 'خاطي', 'خاطيه', 'غلطت', 'اخطات', 'wrong', 'mistake', 'error', 'incorrect'],
  // What the association asks for (بتطلبونها، المتطلبات).
  ['مطلوب', 'تطلب', 'بتطلب', 'يطلب', 'يطلبو', 'تطلبو', 'متطلب', 'require', 'required'],
  ['بيانات', 'معلومات', 'معلومه', 'data', 'information', 'info'],
  // The aim of the association.
  ['هدف', 'غايه', 'الغايه', 'غرض', 'goal', 'aim', 'purpose'],
  // To file a request (ارفع طلب = submit one).
  ['اقدم', 'ارفع', 'نرفع', 'submit'],
  // Procedures that are not clear (مو واضحة، ما افهم).
  ['واضح', 'افهم', 'نفهم', 'مفهوم', 'understand', 'clear', 'unclear'],
  ['مسؤول', 'مسوول', 'responsible', 'liable'],
];
const SYNONYM = new Map<string, string>();
for (const group of SYNONYM_GROUPS) {
  for (const word of group) {
    const key = matchKey(word);
    SYNONYM.set(ARABIC.test(key) ? stemArabic(key) : stemEnglish(key), group[0]!);
  }
}

/**
 * Arabizi (Arabic in Latin letters, digits for the letters Latin lacks: 3 ع, 7 ح, 2 ء, 5 خ, 8 ق):
 * the words that carry meaning for the FAQ, read as their Arabic, and the function words, which
 * carry none. Looked up after a leading al-/el- and a trailing -kom/-km/-na/-i are taken off.
 */
const ARABIZI: Record<string, string> = Object.fromEntries(
  (
    [
      ['تواصل', 'twasal', 'atwasal', 'tawasol', 'tawasul', 'twasl', 'tawasal', 'atwasl', 'twasol', 'atwasel', 'tawasel'],
      ['اتصال', 'etisal', 'itisal', 'ittisal', 'ataswl', 'at9al', 'atsal', 'atasal', 'atesel', 'at9el', 'raqm', 'rakam', 'raqam', 'ra8m', 'jawal', 'jwal'],
      ['اوراق', 'awraq', 'awra8', 'awrag', 'awra2', 'awraaq', 'mustanadat', 'mostanadat', 'wathayeq'],
      ['مطلوبه', 'matlooba', 'matlouba', 'matloob', 'matlub', 'matluba', 'matlooob', 'mtlob', 'mtloba'],
      ['شروط', 'shurut', 'shroot', 'shorot', 'shrot'],
      ['باحث', 'ba7ith', 'baheth', 'ba7eth', 'bahith', 'ba7th', 'ba7es', 'bahes', 'ba7ath'],
      ['اجتماعي', 'ijtima3i', 'ejtima3i', 'ejtma3i', 'ijtimaai', 'egtma3y', 'ejtma3y', 'ijtima3y', 'ijtimai'],
      ['هدف', 'hadaf', 'hadf', 'ghaya'],
      ['اهداف', 'ahdaf', 'a7daf'],
      ['تفتح', 'tftahon', 'tfta7on', 'tefta7on', 'teftahon', 'yftahon', 'yfta7on', 'maftoo7', 'maftooh', 'fat7in', 'fatheen', 'fat7een'],
      ['احتاج', 'a7taj', 'ahtaj', 'a7tag', 'ne7taj', 'nehtaj'],
      ['شكوي', 'ashtki', 'ashtky', 'shakwa', 'shakwah', 'shakawa'],
      ['دوام', 'dawam', 'dwam', 'dawaam', 'tdawmon', 'tdawmoon', 'tedawmon'],
      ['تطوع', 'tatawa3', 'atatawa3', 'tatawo3', 'tatawa', 'atatawa', 'tatawu3', 'tataww3', 'tatw3', 'attw3', 'mutatawe3', 'mtatw3', 'motatawe3'],
      ['اقدم', 'aqdem', 'a8dem', 'aqadim', 'aqadem', 'agadem', 'a8adem', 'aqaddem', 'aqaddim', 'agdm', 'aqdm', 'agdem', 'aqdim', 'a8dm', 'taqdeem', 'tqdeem', 'taqdim', 'tagdeem', 'tqdem'],
      ['تسجيل', 'tasjeel', 'tasjil', 'asajel', 'asjel', 'asajjel', 'asjl'],
      ['رد', 'rad', 'radd', 'yrdon', 'yerdon', 'trdon', 'terdon', 'yrdoon'],
      ['ياخذ', 'yaakhth', 'yakhth', 'yakhud', 'yakhuth', 'ya5th', 'ya5ith', 'ta5th', 'takhth', 'yakhoth', 'yakhed'],
      ['مده', 'mudda', 'muddah', 'mudah', 'modah', 'moda', 'mdah'],
      ['قبول', 'qubool', 'qobool', '8bool', 'gubool', 'qabool', 'anqbal', 'an8bal', 'ingbal', 'angbal'],
      ['رفض', 'rafd', 'rafdh', 'anrfad', 'anrafad'],
      ['تقييم', 'taqyeem', 'tagyeem', 'taqyim', 'aqayem', 'aqyem', 'agayem'],
      ['لايحه', 'lai7a', 'la2e7a', 'laiha', 'la2i7a'],
      ['مسوول', 'mas2ool', 'masool', 'mas2ol', 'masoul'],
      ['بيانات', 'bayanat', 'byanat', 'ma3lomat', 'ma3loomat'],
      ['صحه', 'se7at', 'se7a', 'sehat', 'si7at'],
    ] as string[][]
  ).flatMap(([ar, ...forms]) => forms.map((f) => [f, ar!] as const)),
);
const ARABIZI_STOP = new Set(
  `kaif kef keef kif kaef kayf wsh wesh wish wish esh eish aish ish shu sho meen mn min mta mata emta amta mate kam km hal
  m3kom m3kum ma3kom ma3kum m3ak m3k 3ndkom 3ndukum 3ndk 3endkom endkom ana enta anta abi abgha abga abgh ebi ebgha abaa
  b fi fe fee 3la 3ala ala ila ela 3n 3an wa w ya ma mw mo la al el ely elly illi alli hatha hadha hatha hathi hadi hada
  lw law smat smaht sama7t ba3d b3d gabl qabl ya3ni yani sh shay shy 7g 7ag 7aq
  talab talabi tlb tlby talaby alwaqt waqt yoom youm yom ayam fekom feekom fikom fiikom 3shan ashan 3lshan alshan
  3alai 3lai 3lay 3alay ale 3ly`.split(/\s+/),
);

/** The Arabic word an Arabizi word stands for, '' when it is a function word, undefined when unknown. */
function fromArabizi(word: string): string | undefined {
  if (!/^[a-z0-9']+$/.test(word) || !/[a-z]/.test(word)) return undefined;
  const w = word.replace(/'/g, '');
  const candidates = [w];
  const bare = w.replace(/^(?:al|el|il|l|b|bel|bal|wal|wel)(?=[a-z0-9]{3,})/, '');
  candidates.push(bare);
  for (const c of [w, bare]) {
    const cut = c.replace(/(?:kom|kum|km|kon|na|ha|hom|i|y|ak|ek|k)$/, '');
    if (cut.length >= 3) candidates.push(cut);
  }
  for (const c of candidates) if (ARABIZI[c]) return ARABIZI[c];
  if (ARABIZI_STOP.has(w)) return '';
  return undefined;
}

/** "رقمكم", "رقم الجمعية", "رقم تلفون": asking for the association's number is asking how to reach it. */
const ASSOCIATION_NUMBER = /(^| )(?:رقمكم|ارقامكم|رقم (?:الجمعيه|للجمعيه|جمعيه|التواصل|للتواصل|تواصل|التلفون|تلفون|الهاتف|هاتف|الجوال|جوال|الاتصال|اتصال))(?= |$)/g;

/** The stemmed meaning-bearing words of a text, in order (duplicates kept). */
/** "my request is approved": a request's approval is its acceptance (the policy's approval is another entry). */
const REQUEST_APPROVED = /\b(requests?|applications?)( (?:is|was|got|gets|has been|have been|been|be|being))? approv(?:ed|al)\b/g;

/** "your number", "whatsapp number": the association's number is how to reach it (a request's number is not). */
const CONTACT_NUMBER = /\b(?:your|ur|yours|the association s|associations|contact|phone|mobile|whatsapp|telephone) (?:phone |contact |whatsapp )?numbers?\b/g;
/** "how does this work?" asks how to use the bot, not about working hours. */
const HOW_IT_WORKS = /\bhow (?:does|do|will|would) (?:this|it|that|the bot|this bot|this chat|this service) work\b/g;
/** "sign up" is registering, not a signature. */
const SIGN_UP = /\bsign(?:ing)? ?up\b/g;

/** "وش الجمعية هذي؟", "مين انتم", "who are you": asking what the association is asks its goal. */
const WHO_ARE_YOU = /^(?:(?:وش|ايش|اش|شو|ما|مين|من|منو|ماهي) (?:هي |هو )?(?:الجمعيه|جمعيتكم|انتم|انتو)(?: هذي| هذه| ذي)?|who are you|who are you guys|what is this association|what is the association)$/;

export function faqTerms(text: string): string[] {
  const key = matchKey(text)
    .replace(WHO_ARE_YOU, 'هدف')
    .replace(ASSOCIATION_NUMBER, '$1اتصال')
    .replace(REQUEST_APPROVED, '$1 accepted')
    .replace(CONTACT_NUMBER, 'phone')
    .replace(SIGN_UP, 'register')
    .replace(HOW_IT_WORKS, ' ');
  if (key === '') return [];
  const out: string[] = [];
  for (const raw of key.split(' ')) {
    const arabizi = ARABIC.test(raw) ? undefined : fromArabizi(raw);
    if (arabizi === '') continue;
    const word = arabizi ?? raw;
    if (isStopWord(word)) continue;
    const stemmed = ARABIC.test(word) ? stemArabic(word) : stemEnglish(word);
    if (stemmed.length === 0 || isStopWord(stemmed)) continue;
    // كمتطوع، بالدوام: a clitic letter in front of a word the synonyms know.
    const clitic = /^[بلكف]/.test(stemmed) && len(stemmed) >= 5 ? SYNONYM.get(stemArabic(stemmed.slice(1))) : undefined;
    out.push(SYNONYM.get(stemmed) ?? clitic ?? stemmed);
  }
  return out;
}
