/**
 * The words the understanding layer knows, grouped by concept (a slot in the intent rules).
 *
 * Each concept lists its forms in three scripts:
 * - `ar`: Arabic (MSA and Gulf), written as people type them; compared after matchKey
 *   normalisation (أ/إ/آ → ا, ة → ه, ى → ي …) and light stemming (و/ف/ب/ل/ال prefixes,
 *   ي/ني/ك/كم/نا/ه/ها/هم/وا/ون suffixes), so list the bare word, not every inflection;
 * - `en`: English, compared lowercased, apostrophes dropped ("what's" → "whats");
 * - `az`: Arabizi (Arabic in Latin letters with digits for letters: 3=ع 7=ح 5=خ 2=ء 6=ط
 *   9=ق/ص 8=غ), compared by consonant skeleton (see skeleton() in tokens.ts), so "mowadhaf",
 *   "mwazaf" and "muwazzaf" are one form.
 *
 * A token may belong to several concepts ("stop" is a stop verb; "لا" is a negation and "no").
 */

export type Concept =
  | 'WANT' // ابي، ابغى، أريد، ودي، want, need
  | 'CAN' // ممكن، اقدر، can, could, may
  | 'TALK' // اكلم، اتحدث، اتواصل، talk, speak, contact
  | 'PERSON' // موظف، انسان، شخص، احد، agent, human, person
  | 'PERSON_MOD' // اجتماعي، حقيقي، social, real — only beside a person noun
  | 'PERSON_WEAK' // words that name a person only beside a verb of talking: احد، حد، someone, anyone
  | 'NEG' // ما، مو، مب، مش، not, dont
  | 'LA' // لا (a negation before a second-person verb, a "no" elsewhere)
  | 'STOP_V' // وقف، اوقف، توقف، stop
  | 'CANCEL' // الغاء، الغي، cancel
  | 'SEND' // تراسل، ترسل، message, text, send
  | 'MSG' // رسائل، رسايل، messages, texts
  | 'SUBSCRIPTION' // اشتراك، subscription
  | 'UNSUB' // unsubscribe, optout
  | 'REMOVE' // احذف، شيل، remove, delete
  | 'MY_NUMBER' // رقمي، number
  | 'REQUEST' // طلب، معامله، application, request
  | 'STATUS_N' // حاله، status, update, progress
  | 'STATUS_WEAK' // وضع، اخبار، جديد، رد، news — status words only beside a request
  | 'QWORD' // وين، وش، ايش، شنو، متى، where, what, when
  | 'HAPPEN' // صار، تم، حصل، happened
  | 'FOLLOW' // تابع، متابعه، اعرف، track, follow, check, know
  | 'MENU_N' // قائمه، الرئيسيه، البدايه، menu, options, home
  | 'BACK_V' // ارجع، رجعني، رجوع، back, return
  | 'START_V' // ابدا، start, resume
  | 'ENGLISH'
  | 'ARABIC'
  | 'LANG_N' // لغه، language
  | 'SPEAK_LANG' // تكلم، تتكلم، speak (used with a language)
  | 'HELP' // مساعده، help
  | 'UNDERSTAND' // فهمت، فاهم، understand
  | 'WRITE' // اكتب، write, type, enter
  | 'MEAN' // يعني، mean
  | 'REQUIRED' // المطلوب، required
  | 'EXAMPLE' // مثال، example
  | 'GREET' // السلام، مرحبا، hi, hello
  | 'GREET_WEAK' // هلا، اهلا — also women's names, so weaker at a free-text question
  | 'GREET_TAIL' // عليكم، الخير، morning — the rest of a greeting, never one alone
  | 'THANKS' // شكرا، مشكور، thanks
  | 'YES'
  | 'YES_WEAK' // طيب، زين، ماشي، خلاص — agreement, but weaker
  | 'NO'
  | 'EDIT' // عدل، تعديل، تصحيح، edit, change
  | 'WRONG' // غلط، خطا، wrong, mistake
  | 'RIGHT' // صحيح، صح، correct, right
  | 'FILLER' // please, لو سمحت، now, الحين …
  | 'ME' // me, لي، علي، انا
  | 'WITH' // مع، with, to
  | 'I' // انا، i
  | 'YOU' // انت، انتم، you
  | 'SHOW' // اعرض، ورني، show, open
  | 'AGAIN' // من جديد، over, again
  | 'REQUEST_MINE' // طلبي، معاملتي، my request — a request that is the beneficiary's own
  | 'CONFIRM' // اعتمد، اقر، ارسله، submit — confirming at the review
  | 'RECEIVE' // استقبل، تصلني، receive
  | 'EXCEPT' // الا، ماعدا، except
  | 'QUESTION_N'; // السؤال، question

export interface Forms {
  ar?: string[];
  en?: string[];
  az?: string[];
}

export const LEXICON: Record<Concept, Forms> = {
  WANT: {
    ar: ['ابي', 'ابى', 'ابا', 'ابغى', 'ابغي', 'ابغا', 'بغيت', 'ودي', 'اريد', 'نريد', 'نبي', 'نبغى', 'نبغي', 'بدي', 'عايز', 'عاوز', 'احتاج', 'محتاج', 'محتاجه', 'احتجت', 'احتجنا', 'اضطريت', 'اود', 'ارغب', 'يبي', 'تبي', 'ابيكم', 'بغينا', 'ابغاه', 'ابيه', 'ابيها'],
    en: ['want', 'wanna', 'need', 'would', 'like', 'id', 'wish', 'wants', 'needs'],
    az: ['mau', 'ab3a', 'abi', 'abee', 'abii', 'aby', 'abgha', 'abgaa', 'abga', 'abghi', 'abgi', 'ab8a', 'ab8', '2bi', '2bgha', 'bghit', 'bgheet', 'baghi', 'widdi', 'wdi', 'widi', 'areed', 'arid', 'aryd', 'abaa', 'nabi', 'nbi', 'bdi', 'beddi', 'a7taj', 'ahtaj', 'me7taj', 'mi7taj'],
  },
  CAN: {
    ar: ['ممكن', 'اقدر', 'نقدر', 'يمكن', 'يمكنني', 'بامكاني', 'ينفع', 'تقدر', 'تقدرون', 'ممكنه'],
    en: ['can', 'could', 'may', 'cant'],
    az: ['mumkin', 'mumken', 'momken', 'mmkn', 'a8dar', 'a9dar', 'agdar'],
  },
  TALK: {
    ar: ['اكلم', 'كلم', 'كلمني', 'كلموني', 'يكلمني', 'يكلمنى', 'تكلمني', 'اتكلم', 'نتكلم', 'التكلم', 'الكلام', 'اتحدث', 'التحدث', 'نتحدث', 'المحادثه', 'محادثه', 'احاكي', 'احكي', 'اتواصل', 'التواصل', 'تواصل', 'نتواصل', 'يتواصل', 'يتصل', 'تتصل', 'اتصال', 'اتصل', 'اتصلوا', 'اتصلو', 'دقوا', 'كلمه', 'ارد', 'يرد', 'يرد علي', 'وصلني', 'حولني', 'حولوني', 'تحويل', 'خاطب', 'اخاطب', 'اراجع', 'اكلمكم', 'اكلمك'],
    en: ['bicara', 'talk', 'speak', 'chat', 'contact', 'connect', 'call', 'reach', 'transfer', 'put', 'talking', 'speaking', 'communicate'],
    az: ['7wlni', '7wlny', '7awelni', '7welni', '7awilni', 'hwlni', 'akalem', 'akalm', 'akallem', 'akalim', 'akllm', 'akalmk', 'kalmni', 'kalemni', 'kalmoni', 'ykalmni', 'ykalemni', 'atkalam', 'atkallam', 'at7adath', 'at7adth', 'atwasal', 'atwasl', 'twasal', 'ettisal', 'atasel', 'atsl', 'a7aki', 'a7ki', '2kalm', '2kalem', '2kalmk'],
  },
  PERSON: {
    ar: ['موظف', 'موظفه', 'موظفين', 'الموظفين', 'موظفات', 'الموظفات', 'باحثات', 'اخصائيات', 'مسوولات', 'انسان', 'بشري', 'بشر', 'شخص', 'مسوول', 'مسوله', 'مسووله', 'مسوولين', 'مسول', 'مسولين', 'المسوول', 'باحث', 'باحثه', 'الباحث', 'اخصائي', 'اخصائيه', 'مندوب', 'ممثل', 'خدمه العملاء', 'ادمن', 'مشرف', 'الاداره', 'الباحث الاجتماعي', 'الباحثه الاجتماعيه', 'الاخصائي الاجتماعي', 'الاخصائيه الاجتماعيه', 'مسوول البحث', 'مسوول البحث الاجتماعي'],
    en: ['petugas', 'agent', 'human', 'person', 'staff', 'employee', 'officer', 'representative', 'rep', 'operator', 'someone', 'somebody', 'anyone', 'anybody', 'people', 'admin', 'manager', 'researcher', 'humans', 'agents', 'customer service', 'real person', 'live agent', 'social researcher', 'social worker', 'case worker', 'caseworker'],
    az: ['mowadhaf', 'mowazaf', 'mwazaf', 'mwzf', 'muwazaf', 'muwazzaf', 'mowazf', 'mwadhaf', 'mowathaf', 'mowa6af', 'mo6af', 'insan', 'ensan', 'bashar', 'bashari', 'shakhs', 'sha5s', 'shkhs', 'mas2ool', 'masool', 'masoul', 'mas2ol', 'ba7ith', 'ba7eth', 'bahith'],
  },
  PERSON_MOD: {
    ar: ['اجتماعي', 'الاجتماعي', 'الاجتماعيه', 'اجتماعيه', 'البحث', 'حقيقي', 'حي', 'العملاء', 'الجمعيه', 'المختص', 'المختصين', 'مختص'],
    en: ['social', 'research', 'real', 'live', 'customer', 'service', 'member', 'worker', 'actual', 'team'],
  },
  PERSON_WEAK: {
    ar: ['احد', 'حد', 'واحد', 'وحده', 'احدى', 'احداكم', 'احدكم', 'حدا', 'احدن'],
    en: ['someone', 'somebody', 'anyone', 'anybody', 'one'],
    az: ['a7ad', '7ad', 'ahad', 'had', 'wa7ed', 'wahed', 'a7d', 'ahd', '7d'],
  },
  NEG: {
    ar: ['ما', 'مو', 'مب', 'مش', 'ماني', 'مانيب', 'لست', 'ليس', 'لم', 'لن', 'بدون', 'مافي', 'ماهو', 'مهو', 'عدم', 'بلاش'],
    en: ['nobody', 'noone', 'not', 'dont', 'do not', 'never', 'no', 'stop', 'doesnt', 'didnt', 'wont', 'nt'],
    az: ['ma', 'mo', 'mob', 'mub', 'mish', 'mesh', 'mu', 'mafi', 'mafee', 'mafeesh', 'mafish'],
  },
  LA: { ar: ['لا', 'لاء', 'لاا'], az: ['la', 'laa', 'la2', 'lae'] },
  STOP_V: {
    ar: ['وقف', 'وقفوا', 'وقفو', 'اوقف', 'اوقفوا', 'اوقفو', 'توقف', 'توقفوا', 'توقفو', 'ايقاف', 'بطلوا', 'بطلو', 'بطل', 'كفايه', 'خلاص', 'يكفي', 'كفى', 'امنع', 'امنعوا', 'اقطع', 'اقطعوا', 'كافي', 'اوقفو', 'بطلوا'],
    en: ['stop', 'cease', 'halt', 'end', 'quit', 'enough', 'stopall', 'block'],
    az: ['wagef', 'wgf', 'wa8ef', 'waqqef', 'wa9ef', 'w9f', 'wqf', 'e2af', 'i9af', 'ebtilo', 'btlo', 'kfaya', 'wgfo', 'wagfo', 'awgf', 'awagef', 'wa8fo', 'wqfo', 'wagfoo'],
  },
  CANCEL: {
    ar: ['الغاء', 'الغي', 'الغوا', 'الغو', 'الغيه', 'الغ', 'كنسل', 'كانسل', 'الغيت'],
    en: ['cancel', 'cancell', 'cancellation', 'abort'],
    az: ['el8a2', 'ilgha', 'elgha', '2l8a2', 'kansel', 'cansel'],
  },
  SEND: {
    ar: ['تطرش', 'تطرشون', 'تطرشوا', 'تطرشولي', 'طرشوا', 'ترسلونا', 'تراسل', 'تراسلني', 'تراسلوني', 'تراسلونني', 'تراسلون', 'تراسلوا', 'راسلوني', 'ترسل', 'ترسلون', 'ترسلوا', 'ترسلو', 'ترسلي', 'ترسلولي', 'ترسلوني', 'ترسلونلي', 'ارسال', 'ترسلين', 'تبعت', 'تبعتوا', 'تزعجوني', 'ازعجتوني', 'ازعجتونا', 'ازعجتوا', 'تزعجونا', 'مراسلتي', 'ارسال', 'الارسال', 'تزعجني', 'ازعاج', 'مراسله', 'المراسله', 'مراسلتي', 'مراسلات', 'تتواصلون', 'تتواصلوا', 'تكلموني', 'تكلمني', 'يراسلني', 'يرسلون', 'ترسلونها', 'تراسلني'],
    en: ['message', 'messaging', 'messages', 'text', 'texting', 'texts', 'send', 'sending', 'contact', 'contacting', 'spam', 'spamming', 'bother', 'bothering', 'email', 'emailing', 'msg', 'msging'],
    az: ['trasloni', 'trasilni', 'trasloony', 'tarsloon', 'tirsloon', 'tarsilon', 'trslon', 'traslni', 'trasilna'],
  },
  MSG: {
    ar: ['رسائل', 'رسايل', 'رساله', 'رسايلكم', 'رسائلكم', 'الرسايل', 'مسجات', 'المسجات', 'مسج', 'اشعارات', 'الاشعارات', 'تنبيهات', 'رسايلكم', 'الرسائل', 'رسالات'],
    en: ['messages', 'message', 'texts', 'msgs', 'notifications', 'sms', 'alerts', 'emails', 'reminders', 'spam', 'msg'],
    az: ['rasayel', 'rasa2el', 'rasail', 'rasayl', 'rsayl', 'rsayel', 'rasa2l', 'msjat', 'masjat', 'mesjat', 'resala', 'rsala'],
  },
  SUBSCRIPTION: {
    ar: ['اشتراك', 'الاشتراك', 'اشتراكي', 'القائمه البريديه'],
    en: ['subscription', 'subscribe', 'subscribed', 'list', 'mailing'],
    az: ['eshterak', 'ishtirak', 'eshtirak'],
  },
  UNSUB: {
    ar: ['الغاء الاشتراك', 'الغاءالاشتراك'],
    en: ['unsubscribe', 'unsub', 'optout', 'opt out', 'unsubscribed', 'unsubscribing'],
  },
  REMOVE: {
    ar: ['احذفوني', 'احذفني', 'امسحوني', 'شيلوني', 'اطلعوني', 'طلعونا', 'احذف', 'احذفوا', 'احذفو', 'حذف', 'شيل', 'شيلوا', 'شيلو', 'امسح', 'امسحوا', 'امسحو', 'اطلعني', 'طلعوني', 'طلعني', 'اخرجوني', 'اخرجني'],
    en: ['remove', 'delete', 'erase', 'take off', 'take me off'],
    az: ['e7thf', 'shilo', 'sheelo', 'shelo', 'shilu', 'imsa7', 'emsa7o', 'e7zfo', 'ehthfo'],
  },
  MY_NUMBER: {
    ar: ['رقمي', 'جوالي', 'رقم', 'جوال', 'اسمي'],
    en: ['number', 'my number', 'phone'],
    az: ['ra8mi', 'ra9mi', 'rgmi', 'ragmi', 'raqmi', 'jawali'],
  },
  REQUEST: {
    ar: ['موضوع', 'الموضوع', 'موضوعي', 'موضوعنا', 'طلب', 'طلبي', 'طلبنا', 'طلبات', 'طلباتي', 'معامله', 'معاملتي', 'معاملتنا', 'الطلب', 'ملفي', 'ملف', 'تقديمي', 'التقديم', 'حالتي'],
    en: ['request', 'requests', 'application', 'applications', 'case', 'ticket', 'file', 'app', 'submission', 'order', 'claim'],
    az: ['talab', 'talabi', 'tlbi', 'tlabi', '6alabi', '6lbi', '6alab', 'talaby', '6lby', 'tlby', 'mo3amala', 'm3amlti', 'mo3amalti'],
  },
  STATUS_N: {
    ar: ['حاله', 'الحاله', 'مستجدات', 'نتيجه', 'النتيجه', 'مرحله', 'وين وصل', 'حاله الطلب', 'حاله طلبي', 'متابعه الطلب'],
    en: ['status', 'update', 'updates', 'progress', 'state', 'stage', 'request status', 'application status'],
    az: ['7ala', '7alah', '7alat', 'mostajadat'],
  },
  STATUS_WEAK: {
    ar: ['السالفه', 'وضع', 'وضعه', 'اخبار', 'جديد', 'الرد', 'رد', 'ردكم', 'القرار', 'قرار', 'موافقه', 'تحديث', 'تحديثات', 'للحين', 'لسه', 'لسا', 'مازال', 'قيد'],
    en: ['yet', 'news', 'result', 'results', 'outcome', 'answer', 'response', 'reply', 'decision', 'feedback', 'word'],
    az: ['wad3', 'akhbar', 'a5bar', 'jdeed', 'jadeed', 'radd', 'rad'],
  },
  QWORD: {
    ar: ['وشلون', 'وين', 'وش', 'ايش', 'شنو', 'اش', 'ويش', 'شو', 'متى', 'كيف', 'هل', 'ماذا', 'ما هي', 'ما هو', 'ماهي', 'ماهو', 'ليش', 'لماذا', 'كم', 'اين', 'فين', 'شلون', 'شنهو', 'ايش هو', 'وشو'],
    en: ['where', 'what', 'whats', 'when', 'how', 'any', 'is', 'has', 'did', 'whens', 'wheres', 'hows', 'why', 'which'],
    az: ['wain', 'wein', 'wen', 'ween', 'wayn', 'wesh', 'wsh', 'wish', 'esh', 'aish', 'eish', 'shno', 'shnu', 'shino', 'mata', 'mita', 'kaif', 'kef', 'keef', 'shlon', 'hal'],
  },
  HAPPEN: {
    ar: ['اتقبل', 'اترفض', 'انقبلت', 'قبلوه', 'قبلتوه', 'رفضوه', 'رفضتوه', 'اعتمدوه', 'صار', 'صاير', 'تم', 'حصل', 'وصل', 'حاصل', 'صارت', 'استجد', 'انقبل', 'انرفض', 'رفض', 'اعتمد', 'تقبل', 'قبلتوا', 'مقبول', 'مرفوض', 'انتهى', 'خلص'],
    en: ['happened', 'happening', 'going', 'going on', 'with', 'accepted', 'approved', 'rejected', 'processed', 'done', 'ready', 'reviewed'],
    az: ['sar', 'saar', 'sa2er', 'sayer', '9ar', '9aar', 'w9al', 'wsl', 'wasal'],
  },
  FOLLOW: {
    ar: ['طمنوني', 'طمني', 'طمنونا', 'طمنا', 'بشروني', 'بشرونا', 'بشرني', 'مراجعه', 'القى', 'الاقي', 'القا', 'نلقى', 'تابع', 'اتابع', 'متابعه', 'المتابعه', 'تتبع', 'اتتبع', 'اعرف', 'نعرف', 'معرفه', 'اشوف', 'استعلم', 'استعلام', 'الاستعلام', 'استفسر', 'راجع'],
    en: ['track', 'follow', 'check', 'know', 'see', 'find', 'following', 'tracking', 'checking', 'inquire', 'enquire', 'trace'],
    az: ['ata3ab', 'at2akad', 'a3rf', 'a3ref', 'ashoof', 'ashuf', 'ashof', 'mutaba3a', 'mtab3a'],
  },
  MENU_N: {
    ar: ['قائمه', 'القائمه', 'قايمه', 'القايمه', 'الرئيسيه', 'رئيسيه', 'الرييسيه', 'البدايه', 'بدايه', 'الخيارات', 'خيارات', 'الاختيارات', 'الصفحه الرئيسيه', 'المنيو', 'منيو', 'الخدمات', 'خدمات', 'القائمه الرئيسيه'],
    en: ['menu', 'options', 'home', 'main', 'beginning', 'choices', 'services', 'mainmenu', 'main menu', 'home page', 'homepage'],
    az: ['8a2ema', 'qa2ima', 'ga2ema', 'ka2ema', 'menu', 'el2a2ema', 'albedaya', 'bedaya', 'bidaya', 'raeesia', 'ra2isya', 'qaema', 'qaima', 'qa2ema', 'gaema', 'gaima', '2a2ema', '2aema', 'qayma', 'qaemah', 'qa2mah', 'ga2ma', 'qa2ma', 'khayarat', '5ayarat', 'menyu'],
  },
  BACK_V: {
    ar: ['ارجع', 'رجعني', 'رجعوني', 'ارجعني', 'رجوع', 'الرجوع', 'نرجع', 'رجع', 'ارجعوني', 'عودة', 'عوده', 'العوده', 'اعود', 'عودني', 'وديني', 'ودني', 'روح'],
    en: ['back', 'return', 'go', 'goback', 'take', 'bring'],
    az: ['arja3', 'erja3', 'arj3', 'erj3', 'rj3ni', 'raj3ni', 'rajje3ni', 'rj3ny', 'rooh', 'ruju3', 'rjoo3', 'rjo3'],
  },
  START_V: {
    ar: ['ابدا', 'بدء', 'ابدء', 'تفعيل', 'فعل', 'فعلوا', 'فعلو', 'استئناف', 'استيناف', 'رجعوا', 'ارجعوا', 'رجعو', 'ابدي', 'نبدا'],
    en: ['start', 'unstop', 'resume', 'restart', 'begin', 'subscribe', 'resubscribe', 'continue'],
    az: ['ebda', 'ibda', 'abda', 'nbda', 'fa3el', 'fa33el', 'fa3lo', 'fa3loo', 'ebda2', 'ibda2', 'rj3o', 'rag3o', 'raj3o'],
  },
  ENGLISH: {
    ar: ['انجليزي', 'انقليزي', 'انجلش', 'انقلش', 'انكليزي', 'الانجليزيه', 'الانجليزي', 'انجليزيه', 'الانقليزي', 'الانكليزيه', 'انجلیزي', 'بالانجليزي', 'بالانقليزي', 'بالانجلش', 'بالانقلش', 'انجلزي', 'انقلزي'],
    en: ['inggris', 'bahasa inggris', 'english', 'eng', 'en', 'inglish', 'englsh', 'engish'],
    az: ['ingleezi', 'englizi', 'engleezi', 'inglizi', 'englishi'],
  },
  ARABIC: {
    ar: ['عربي', 'العربيه', 'العربي', 'عربيه', 'بالعربي', 'بالعربيه', 'عربى', 'عرب'],
    en: ['arabic', 'arab', 'ar', 'arabi', 'arbi'],
    az: ['3arabi', '3rbi', '3arbi', 'arabi', 'bel3arabi', 'bl3rbi'],
  },
  LANG_N: {
    ar: ['لغه', 'اللغه', 'اللغات', 'لغات'],
    en: ['language', 'lang', 'languages', 'langauge', 'languge'],
    az: ['lo8a', 'lugha', 'lu8a', 'logha'],
  },
  SPEAK_LANG: {
    ar: ['تكلم', 'تتكلم', 'تتكلمون', 'تحدث', 'تتحدث', 'تتحدثون', 'كلمني', 'كلموني', 'اكتب', 'اكتبوا', 'ردوا', 'رد', 'حول', 'حولوا', 'غير', 'غيروا', 'تغيير', 'بدل', 'اتكلم', 'افهم', 'اعرف', 'يتكلم', 'نكمل', 'كمل', 'كملوا', 'تكملون', 'تكمل'],
    en: ['speak', 'talk', 'write', 'reply', 'switch', 'change', 'use', 'in', 'respond', 'speaks', 'understand', 'know', 'set', 'continue', 'have'],
    az: ['tkalam', 'tetkalam', 'kalmni'],
  },
  HELP: {
    ar: ['مساعده', 'ساعدني', 'ساعدوني', 'المساعده', 'تساعدني', 'تساعدوني', 'نجده', 'الحقوني', 'ساعدونا'],
    en: ['how does this work', 'how does it work', 'how do i use this', 'how to use this', 'help', 'helpme', 'assist', 'assistance', 'support', 'hlp', 'halp', 'sos'],
    az: ['mosa3da', 'musa3ada', 'msa3dh', 'sa3edni', 'sa3dni', 'sa3idni', 'sa3doni'],
  },
  UNDERSTAND: {
    ar: ['فهمت', 'فاهم', 'فاهمه', 'افهم', 'فهمتك', 'فهمتكم', 'فهمني', 'يفهم', 'استوعب', 'فاهمين', 'واضح', 'واضحه'],
    en: ['understand', 'understood', 'clear', 'follow', 'confused', 'confusing', 'unclear', 'lost', 'get it', 'get the question', 'get you', 'get what'],
    az: ['fahamt', 'fhmt', 'fahmt', 'fahim', 'fahem', 'fahma', 'afham', 'fhemt'],
  },
  WRITE: {
    ar: ['اكتب', 'اكتبه', 'اكتبها', 'نكتب', 'ادخل', 'اعبي', 'اعبيه', 'ارسل', 'احط', 'اجاوب', 'ارد', 'اسوي', 'اختار', 'يكتب', 'نسوي', 'اقول', 'ادخله'],
    en: ['write', 'type', 'enter', 'put', 'fill', 'send', 'answer', 'say', 'choose', 'reply', 'input', 'give', 'supposed', 'provide'],
    az: ['aktb', 'aktob', 'aktub', 'asawi', 'asawy', 'ad5l', 'ade5al', 'ar9el', 'ar9l', 'arsel', 'a7ot'],
  },
  MEAN: {
    ar: ['يعني', 'تقصد', 'تقصدون', 'يقصد', 'يقصدون', 'قصدك', 'المقصود', 'معنى', 'معناه', 'قصدكم', 'الفرق'],
    en: ['mean', 'means', 'meaning', 'meant'],
    az: ['ya3ni', 'y3ni', 'ta8sed', 'tg9d', 'tgsd', 'tqsd'],
  },
  REQUIRED: {
    ar: ['المطلوب', 'مطلوب', 'تبون', 'تبغون', 'تبي', 'تبغى', 'تريدون', 'تحتاجون', 'تبونه', 'المفروض', 'اللازم'],
    en: ['required', 'needed', 'expected', 'requirement', 'requirements'],
    az: ['almatloob', 'matloob', 'tbon', 'tboon', 'tb8on'],
  },
  EXAMPLE: {
    ar: ['مثال', 'امثله', 'مثلا', 'نموذج', 'شرح', 'اشرح', 'وضح', 'وضحوا', 'فسر', 'توضيح', 'اشرحلي', 'وضحلي'],
    en: ['example', 'examples', 'sample', 'explain', 'format', 'instance', 'e g'],
    az: ['mithal', 'methal', 'mthal', 'ishra7', 'eshra7'],
  },
  GREET: {
    ar: ['السلام', 'مرحبا', 'مرحبتين', 'مرحبه', 'هاي', 'هلو', 'هالو', 'يسعد', 'صباحكم', 'مساكم', 'السلاام', 'سلاام', 'مرحباا', 'اهلين', 'هلاو', 'حياك', 'حياكم', 'كيف حالك', 'كيف الحال', 'كيف حالكم', 'شلونك', 'شلونكم', 'وش اخبارك', 'وش اخباركم', 'ايش اخبارك', 'كيفك', 'علومك', 'وش علومك', 'السلام عليكم', 'سلام عليكم', 'وعليكم السلام', 'صباح الخير', 'مساء الخير', 'صباح النور', 'مساء النور', 'مسا الخير', 'مسا النور', 'مساكم الله بالخير', 'صباحكم الله بالخير', 'emojihi'],
    en: ['hi', 'hello', 'hey', 'hiya', 'greetings', 'good morning', 'good evening', 'good afternoon', 'yo', 'heya', 'hii', 'hiii', 'hellooo', 'helo', 'hallo', 'howdy', 'salam', 'salaam', 'assalamu', 'assalam', 'asalam', 'asalamu', 'how are you', 'how r u', 'hows it going', 'whats up', 'sup', 'peace be upon you'],
    az: ['slm', 'salam', 'slam', 'salaam', 'assalam', 'assalamu', 'marhaba', 'mar7aba', 'mr7ba', 'mar7ba', 'sba7 el5er', 'sabah alkhair', 'masa2 el5er', 'ahlan', 'ahlen', 'ahleen', 'hala wallah', 'kaifak', 'kefak', 'shlonak', 'shlonk'],
  },
  GREET_TAIL: {
    ar: ['عليكم', 'وعليكم', 'ورحمه', 'الله', 'وبركاته', 'الخير', 'النور', 'والله', 'يا', 'هلا', 'جميعا', 'الجميع', 'ياهلا', 'بكم', 'بك', 'فيكم', 'فيك', 'بالجميع'],
    en: ['o', 'morning', 'evening', 'afternoon', 'alaikum', 'alaykum', 'alikum', 'there', 'all', 'everyone', 'team', 'good', 'wa', 'rahmatullah', 'guys'],
    az: ['alaikum', '3alaykom', '3alikom', '3lykm', 'alaykom', 'elkhair', 'el5er', 'alkhair', '5er', 'el5air', 'wallah', 'walla'],
  },
  GREET_WEAK: {
    ar: ['هلا', 'اهلا', 'اهلين', 'هلا والله', 'ياهلا', 'هلاا', 'سلام'],
    en: [],
    az: ['hala', 'hla', 'ahlan', 'ahleen'],
  },
  THANKS: {
    ar: ['يجزاه', 'يجزاها', 'جزاه', 'جزاها', 'يعطيه', 'يعطيها', 'شكرا', 'شكر', 'شكراا', 'مشكور', 'مشكوره', 'مشكورين', 'تسلم', 'تسلمين', 'تسلمون', 'يسلمو', 'يسلموا', 'يسلمك', 'يعطيك', 'يعطيكم', 'العافيه', 'جزاك', 'جزاكم', 'يجزاك', 'يجزاكم', 'يجزيك', 'يجزيكم', 'خير', 'خيرا', 'ماقصرت', 'ماقصرتوا', 'قصرت', 'قصرتوا', 'كفو', 'الف', 'ممنون', 'ممنونه', 'متشكر', 'شاكر', 'شاكره', 'جزيلا', 'جزيل', 'يعافيك', 'يعافيكم', 'يسعدك', 'يسعدكم', 'يوفقك', 'يوفقكم', 'اجركم', 'اجرك', 'وكتب', 'يحفظك', 'يحفظكم', 'التجاوب', 'تعاونكم', 'الجهود', 'جهودكم', 'ماقصرتوا', 'ماقصرتو', 'قصرتو', 'بارك', 'فيكم'],
    en: ['terima kasih', 'shukriya', 'shukria', 'thanks', 'thank', 'thx', 'thnx', 'ty', 'tq', 'thankyou', 'thanx', 'appreciate', 'appreciated', 'grateful', 'cheers', 'tks', 'tnx', 'thanku', 'emojithanks', 'jazakallah', 'jazakumullah', 'khair', 'khayr', 'kheir'],
    az: ['ya3tikom', 'ya3tikum', 'y3tikm', 'ya3tekom', '3afya', '3afia', '3afyah', 'shukran', 'shokran', 'shkran', 'shukrn', 'shokrn', 'mashkoor', 'mashkur', 'mshkor', 'mashkoora', 'tislam', 'teslam', 'tslm', 'ya3teek', 'y3tik', 'ya3tik', 'el3afia', 'al3afya', 'jazak', 'jazakallah', 'ma8sart', 'ma9art', 'ma9artw', 'kafu', 'kfo'],
  },
  YES: {
    ar: ['نعم', 'ايه', 'ايوه', 'ايوا', 'اي', 'ايي', 'اييه', 'ايواا', 'اوكي', 'اوكيه', 'اوك', 'اوكك', 'تمام', 'اكيد', 'صح', 'موافق', 'موافقه', 'اوافق', 'اكد', 'اؤكد', 'اوكد', 'تاكيد', 'بلى', 'اجل', 'يب', 'يس', 'ييس', 'اقر', 'نعم اؤكد', 'ابشر', 'طبعا', 'بالتاكيد', 'حيل', 'ايوة', 'موافقين', 'اوافق على', 'نعمم', 'تم', 'ابغى', 'ابي', 'اريد', 'ارغب', 'ياليت', 'ليت', 'ياريت', 'ريت', 'اكيد ابي', 'يب'],
    en: ['yes', 'y', 'yeah', 'yea', 'yep', 'yup', 'ya', 'yah', 'ok', 'okay', 'looks good', 'all good', 'all correct', 'thats right', 'that is right', 'sounds good', 'okey', 'oki', 'okie', 'k', 'kk', 'sure', 'confirm', 'confirmed', 'agree', 'agreed', 'correct', 'right', 'absolutely', 'definitely', 'certainly', 'of course', 'affirmative', 'yess', 'yesss', 'yas', 'alright', 'fine', 'go', 'go ahead', 'please do', 'do it', 'submit', 'send it', 'proceed', 'emojiyes'],
    az: ['ayeh', 'aiyeh', 'aieh', 'haan', 'haa', 'han', 'jee', 'ji', 'aywa', 'aiwa', 'aywah', 'ewa', 'eywa', 'ee', 'eeh', 'eh', 'ih', 'iyeh', 'ay', 'aih', 'na3am', 'n3m', 'na3m', 'tamam', 'tmam', 'tmm', 'akeed', 'akid', 'akeeed', 'sa7', 's7', 'sah', 'mwafeg', 'mowafiq', 'mwafq', 'mwafg', 'okay', 'oki', 'okk', 'yes', 'ya leet', 'yaleet', 'leet', 'abi', 'abgha', 'kolo sa7', 'kollo sa7'],
  },
  YES_WEAK: {
    ar: ['جيد', 'جيده', 'طيب', 'زين', 'ماشي', 'خلاص', 'حلو', 'ممتاز', 'عادي', 'اوكي شكرا', 'يلا', 'يالله', 'ابشر', 'ان شاء الله', 'انشاءالله', 'انشالله', 'ممكن', 'كلها', 'كله'],
    en: ['fine', 'good', 'great', 'cool', 'perfect', 'alright', 'why not', 'lets go', 'go on', 'i guess', 'everything', 'would help'],
    az: ['6ayeb', 'tayeb', 'tyb', 'zain', 'zein', 'zen', 'mashi', 'khalas', '5alas', 'yalla', 'yallah', 'inshallah', 'enshallah'],
  },
  NO: {
    ar: ['احاول', 'بحاول', 'اجرب', 'بجرب', 'نحاول', 'بكمل بنفسي', 'خلني احاول', 'خليني احاول', 'خلني اجرب', 'خليني اجرب', 'خلني اكمل', 'خليني اكمل', 'لا', 'لاء', 'كلا', 'لاا', 'لأ', 'مو الحين', 'بعدين', 'لاحقا', 'ليس الان', 'لا شكرا', 'لا مشكور', 'مابي', 'ماابي', 'مابغى', 'ماابغى', 'مابغيت', 'لاتحولني', 'لاحقًا', 'ابد', 'ابدا', 'نو', 'مشكور', 'مو لازم', 'ماله داعي', 'مافي داعي', 'لاشكرا'],
    en: ['let me try', 'ill try', 'nahi', 'nahin', 'nai', 'tidak', 'no', 'n', 'nope', 'nah', 'nay', 'not now', 'later', 'no thanks', 'no thank you', 'nop', 'noo', 'nooo', 'never', 'negative', 'not really', 'dont', 'maybe later', 'emojino'],
    az: ['la', 'laa', 'la2', 'lae', 'no', 'ba3den', 'ba3deen', 'b3dain', 'mabee', 'mb8a'],
  },
  EDIT: {
    ar: ['عدل', 'اعدل', 'تعديل', 'التعديل', 'عدلوا', 'تعدل', 'نعدل', 'تصحيح', 'التصحيح', 'اصحح', 'صحح', 'نصحح', 'اغير', 'غير', 'تغيير', 'التغيير', 'نغير', 'بدل', 'ابدل', 'تبديل', 'اصلح', 'اعيد', 'عدلي', 'تعديلات', 'تعديله', 'ارجع اعدل', 'اعدله', 'اعدلها', 'اغيره', 'اغيرها', 'تصليح'],
    en: ['edit', 'change', 'fix', 'modify', 'amend', 'correct', 'correction', 'corrections', 'update', 'redo', 'alter', 'changes', 'edits', 'editing', 'changing'],
    az: ['a3adel', 'a3dl', 'a3adl', 'ta3deel', 't3del', 't3deel', 'aghayer', 'a8ayer', 'a8yr', 'tasheeh', 'ta9ee7', 'a9a77e7', 'a9a7e7'],
  },
  WRONG: {
    ar: ['ناقص', 'ناقصه', 'نقص', 'غلط', 'غلطه', 'خطا', 'خطاء', 'اخطاء', 'غلطان', 'غلطانه', 'خاطي', 'خاطيه', 'خاطئ', 'خطاا', 'الغلط'],
    en: ['missing', 'incomplete', 'wrong', 'mistake', 'mistakes', 'error', 'errors', 'incorrect', 'typo', 'wrongly', 'not right', 'not correct'],
    az: ['8alat', 'ghalat', 'ghalt', '8lt', 'glt', 'galat', '5a6a', 'khata', '5ata2', '5a6a2'],
  },
  RIGHT: {
    ar: ['صحيح', 'صحيحه', 'صح', 'سليم', 'مضبوط', 'مضبوطه', 'تمام', 'صحيحين', 'كامل', 'صحيحة'],
    en: ['correct', 'right', 'accurate', 'ok', 'fine', 'good'],
    az: ['sa7ee7', 'sahih', 'sa7', 'madboot', 'mazboot'],
  },
  FILLER: {
    ar: ['لحظه', 'لو', 'سمحت', 'سمحتي', 'لوسمحت', 'لوسمحتي', 'فضلك', 'فضلكم', 'من', 'بليز', 'الله', 'يخليك', 'يخليكم', 'يعافيك', 'رجاء', 'رجاءا', 'الحين', 'الان', 'حالا', 'بسرعه', 'يا', 'اخوي', 'اخي', 'اختي', 'طال', 'عمرك', 'يرحم', 'والديك', 'والدينك', 'ياليت', 'ليت', 'طيب', 'بس', 'يااخي', 'اذا', 'ممكن', 'لوسمحتو', 'لوسمحتوا', 'عاد', 'تكفى', 'تكفون', 'فديتك', 'ابو', 'الغالي', 'هلا', 'عزيزي', 'عزيزتي', 'اه', 'ههه', 'هههه', 'ههههه', 'يااخوان', 'كل', 'شي', 'شيء', 'كله', 'كلها', 'البيانات', 'بيانات', 'المعلومات', 'معلومات', 'فيه', 'في', 'هذا', 'هذي', 'هذه', 'هنا', 'عشان', 'لان', 'حتى', 'اللي', 'الي', 'و', 'ال', 'معليش', 'عفوا', 'بالضبط', 'ضروري', 'مستعجل', 'عاجل', 'بسرعه', 'ان', 'والله', 'وايد', 'مره', 'لو سمحتوا', 'الرجاء', 'ارجو', 'اي', 'اخوك', 'اختك'],
    en: ['please', 'pls', 'plz', 'plez', 'pleas', 'pleasee', 'kindly', 'now', 'just', 'asap', 'right now', 'thanks', 'sir', 'madam', 'bro', 'hey', 'hi', 'um', 'uh', 'umm', 'hmm', 'ok', 'so', 'well', 'again', 'urgently', 'quickly', 'the', 'a', 'an', 'really', 'lol', 'it', 'this', 'that', 'do', 'does', 'is', 'are', 'am', 'be', 'all', 'everything', 'lot', 'much', 'very', 'so', 'details', 'info', 'information', 'data', 'here', 'there', 'and', 'any', 'more', 'to', 'of', 'for', 'with', 'from', 'about', 'in', 'on', 'oh', 'some', 'something', 'anything', 'else', 'sorry', 'exactly', 'excuse', 'urgent', 'its', 'asap', 'me', 'guys', 'ive', 'been', 'trying', 'while', 'for', 'still', 'again', 'need'],
    az: ['plz', 'pls', 'law', 'samat', 'sma7t', 'lw', 'smht', 'lo', 'samaht', 'alhin', 'l7in', 'al7ean', 'yalla', 'takfa', 'tkfa', 'ya', 'lel', 'lil', 'll', 'el', 'al', 'il', 'ila', 'ela', '3la', '3ala', 'ala', 'b', 'bel', 'fe', 'fi'],
  },
  ME: {
    ar: ['مني', 'لي', 'علي', 'انا', 'عني', 'معي', 'لنا', 'علينا', 'رقمي', 'ياي', 'فيني'],
    en: ['me', 'my', 'mine', 'us', 'our', 'myself', 'i'],
    az: ['li', 'lee', '3ali', '3alay', 'ana'],
  },
  WITH: {
    ar: ['مع', 'معكم', 'معاكم', 'معك', 'معاك', 'الى', 'الي', 'ل', 'في', 'عن', 'ب', 'على', 'معاكم', 'وياكم', 'وياك', 'ويا'],
    en: ['with', 'to', 'a', 'an', 'the', 'your', 'one', 'of', 'on', 'at', 'for', 'about', 'from', 'in', 'by'],
    az: ['m3', 'ma3', 'm3akm', 'ma3akom', 'wyakom', 'weyakom', 'm3kum'],
  },
  I: {
    ar: ['انا', 'اني'],
    en: ['i', 'im', 'ive', 'id', 'ill', 'we'],
    az: ['ana', 'ani'],
  },
  REQUEST_MINE: {
    ar: ['موضوعي', 'موضوعنا', 'طلبي', 'طلبنا', 'طلباتي', 'معاملتي', 'معاملتنا', 'ملفي', 'تقديمي', 'حالتي', 'حاله طلبي', 'الطلب حقي', 'طلبي حقي', 'الطلب تبعي', 'طلب حقي'],
    en: ['my request', 'my application', 'my case', 'my file', 'my ticket', 'my submission', 'my requests', 'my applications', 'our request', 'our application'],
    az: ['talabi', 'tlbi', 'tlabi', '6alabi', '6lbi', 'talaby', '6lby', 'tlby', 'm3amlti', 'mo3amalti'],
  },
  CONFIRM: {
    ar: ['اعتمد', 'اعتمده', 'اعتمدوا', 'اقر', 'اقر بذلك', 'ارسل', 'ارسله', 'ارسلها', 'ارسلوه', 'ارسلو', 'ارسلوها', 'ارسلوا', 'قدموه', 'قدموها', 'قدمه', 'قدمها', 'قدم', 'اوافق', 'موافق', 'الاقرار', 'بصحه', 'ارسل الطلب', 'اعتمد الطلب', 'اكد الطلب', 'اكمل', 'كمل'],
    en: ['submit', 'send it', 'send', 'confirm', 'approve', 'go ahead', 'proceed', 'finalize', 'done'],
    az: ['ar9el', 'arsel', 'arslh', 'e3tamed', 'a3tamed'],
  },
  RECEIVE: {
    ar: ['استقبل', 'تصلني', 'تجيني', 'يجيني', 'يوصلني', 'توصلني', 'استلم', 'وصول', 'استقبال'],
    en: ['receive', 'receiving', 'get', 'getting'],
    az: ['astagbel', 'asta8bel', 'astaqbel', 'estegbal', 'tjeeni', 'tjini'],
  },
  EXCEPT: {
    ar: ['الا', 'ماعدا', 'عدا', 'بس', 'لكن', 'غير'],
    en: ['except', 'but', 'apart', 'besides'],
  },
  QUESTION_N: {
    ar: ['السوال', 'سوال', 'السوال هذا', 'الخانه', 'الخطوه', 'الحقل'],
    en: ['question', 'step', 'field', 'part'],
  },
  YOU: {
    ar: ['انت', 'انتي', 'انتم', 'انتو', 'معكم', 'معاكم', 'لكم', 'عندكم', 'منكم', 'وياكم'],
    en: ['you', 'u', 'your', 'yourself', 'ya', 'yall'],
    az: ['enta', 'inta', 'entum', 'intu', 'm3akm', 'ma3akom', 'wyakom'],
  },
  SHOW: {
    ar: ['اعرض', 'اعرضوا', 'عرض', 'ورني', 'وريني', 'اظهر', 'افتح', 'افتحوا', 'اعطني', 'اعطيني', 'عطني', 'عطوني', 'ارسل لي', 'طلعلي', 'اشوف', 'نشوف', 'ابغى اشوف', 'خلني', 'خليني'],
    en: ['show', 'open', 'display', 'give', 'see', 'bring', 'view', 'get'],
    az: ['warini', 'wareeni', '3a6ni', 'a36ni', '3tni', '3atni'],
  },
  AGAIN: {
    ar: ['جديد', 'اول', 'البدايه', 'بدايه', 'الاول', 'ثاني', 'مره ثانيه', 'مره', 'ثانيه', 'اعاده', 'من جديد', 'من الاول', 'من البدايه'],
    en: ['over', 'again', 'scratch', 'afresh', 'start', 'beginning', 'start over', 'from scratch', 'from the beginning', 'from the start'],
    az: ['jdeed', 'jdid', 'awal', 'elawal'],
  },
};
