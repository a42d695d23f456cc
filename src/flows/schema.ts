/**
 * The flow file format: one zod schema is the single source of truth for the YAML files in
 * `flows/`, their TypeScript types and the generated `flows/flow.schema.json`.
 */
import { z } from 'zod';

export const FLOW_FORMAT_VERSION = 1;

/**
 * A shorter wording of a text for SMS, where every part is paid (Arabic is UCS-2: 70
 * characters in one part, 67 a part once concatenated; Latin-only text is GSM-7: 160 / 153).
 * Either language may be left out: that language then sends its full text on SMS too.
 * The same meaning in fewer words: it may drop courtesy and detail, never add a fact.
 */
export const SmsText = z
  .object({
    ar: z.string().trim().min(1).optional().describe('Arabic text sent on SMS instead of ar'),
    en: z.string().trim().min(1).optional().describe('English text sent on SMS instead of en'),
  })
  .strict()
  .refine((t) => t.ar !== undefined || t.en !== undefined, { message: 'an sms variant needs ar, en or both' });
export type SmsText = z.infer<typeof SmsText>;

/**
 * Text in both languages. Arabic is required; English is required too, since every bot can
 * switch. `sms` optionally gives shorter wordings sent instead on SMS (see `sms.max_parts`).
 */
export const Localized = z
  .object({
    ar: z.string().trim().min(1).describe('Arabic text'),
    en: z.string().trim().min(1).describe('English text'),
    sms: SmsText.optional().describe('Shorter wording sent instead on SMS, per language; `tawasul flows check` counts its parts'),
  })
  .strict();
export type Localized = z.infer<typeof Localized>;

/** How many parts one SMS reply may take when a flow does not say (3 = 201 Arabic or 459 GSM-7 characters). */
export const DEFAULT_SMS_MAX_PARTS = 3;

/** Keyword lists per language; matched after Arabic normalisation. */
const Keywords = z
  .object({
    ar: z.array(z.string().trim().min(1)).default([]),
    en: z.array(z.string().trim().min(1)).default([]),
  })
  .strict();

const Id = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'ids are lower-case latin letters, digits and underscores, starting with a letter');

const FieldBase = {
  id: Id,
  label: Localized.describe('Short name of the field, used in the summary and in corrections'),
  prompt: Localized.describe('The question the bot asks'),
  example: Localized.optional().describe('An example answer, shown with every rejection'),
  help: Localized.optional().describe('Why this is asked; shown when the beneficiary seems unsure'),
  required: z.boolean().default(true).describe('Optional fields accept the skip word'),
  sensitive: z.boolean().default(false).describe('Masked in logs and in the staff list views'),
  confirm: z
    .literal('association')
    .optional()
    .describe(
      "Set on a field (or on a choice field's option list) the policy itself does not ask for: the flow's writer added it for the association to confirm, change or remove. Its wording must not present it as a policy rule.",
    ),
};

export const TextField = z
  .object({
    ...FieldBase,
    type: z.literal('text'),
    min: z.number().int().min(0).default(1),
    max: z.number().int().min(1).max(4000).default(500),
    min_words: z.number().int().min(1).optional(),
    letters_only: z.boolean().default(false),
    kind: z
      .enum(['name', 'city'])
      .optional()
      .describe(
        'What the text is, so the words around it are dropped: name ("اسمي محمد عبدالله" → "محمد عبدالله"), city ("ساكن في الرياض" → "الرياض"). Default: name for a letters_only field whose id ends in "name", city for an id ending in "city"',
      ),
  })
  .strict();

export const NationalIdField = z
  .object({
    ...FieldBase,
    type: z.literal('national_id'),
    allow: z
      .array(z.enum(['citizen', 'resident', 'border', 'passport']))
      .min(1)
      .default(['citizen', 'resident'])
      .describe(
        'citizen: national ID (10 digits, starts with 1); resident: iqama (starts with 2); border: border number of a visitor with a visa (10 digits, starts with 3 or 4); passport: passport number (6–9 letters and digits)',
      ),
  })
  .strict();

export const PhoneField = z
  .object({
    ...FieldBase,
    type: z.literal('phone'),
    countries: z
      .array(z.union([z.string().regex(/^[A-Za-z]{2}$/, 'an ISO 3166 two-letter country code'), z.literal('*')]))
      .min(1)
      .default(['SA'])
      .describe(
        "Countries accepted, in order of preference for numbers written without a country code; '*' accepts any country's mobile written with its code (+20…, 0020…)",
      ),
  })
  .strict();

export const DateField = z
  .object({
    ...FieldBase,
    type: z.literal('date'),
    calendar: z.enum(['hijri', 'gregorian', 'either']).default('either'),
    earliest_years_ago: z.number().int().min(0).max(200).default(120).describe('The earliest accepted date, in years before today'),
    latest_years_ahead: z.number().int().min(0).max(10).default(0).describe('0 means no date after today'),
  })
  .strict();

export const IntegerField = z
  .object({
    ...FieldBase,
    type: z.literal('integer'),
    min: z.number().int(),
    max: z.number().int(),
  })
  .strict();

export const ChoiceOption = z
  .object({
    id: Id,
    label: Localized,
    aliases: Keywords.optional().describe('Other words a beneficiary may type for this option'),
  })
  .strict();
export type ChoiceOption = z.infer<typeof ChoiceOption>;

export const ChoiceField = z
  .object({
    ...FieldBase,
    type: z.literal('choice'),
    options: z.array(ChoiceOption).min(2).max(10),
  })
  .strict();

export const MediaField = z
  .object({
    ...FieldBase,
    type: z.literal('media'),
    accept: z.array(z.enum(['image', 'pdf'])).min(1).default(['image', 'pdf']),
    max_mb: z.number().positive().max(100).default(10),
  })
  .strict();

export const Field = z.discriminatedUnion('type', [
  TextField,
  NationalIdField,
  PhoneField,
  DateField,
  IntegerField,
  ChoiceField,
  MediaField,
]);
export type Field = z.infer<typeof Field>;
export type FieldType = Field['type'];

export const Form = z
  .object({
    title: Localized.describe("The form's name in the association's own words (e.g. طلب دعم مستفيد)"),
    intro: Localized.describe('Said once when the form starts'),
    fields: z.array(Field).min(1),
  })
  .strict();
export type Form = z.infer<typeof Form>;

/** The flow blocks an FAQ answer can be generated from, so the text cannot drift from them. */
export const FaqAnswerSource = z.enum(['channels', 'tools', 'approval', 'objectives', 'general_goal']);
export type FaqAnswerSource = z.infer<typeof FaqAnswerSource>;

export const FaqEntry = z
  .object({
    id: Id,
    question: Localized,
    answer: Localized.optional().describe('The answer as written text; give either this or answer_from'),
    answer_from: FaqAnswerSource.optional().describe(
      'Build the answer from a block of this flow: channels (policy_channels), tools, approval, objectives (detailed), general_goal (objectives.general)',
    ),
    variants: Keywords.default({ ar: [], en: [] }).describe('Other ways people ask this question (MSA, Gulf, English), matched by their meaning-bearing words'),
    keywords: Keywords.describe('Words that point to this answer; normalised before matching'),
    source: z.string().optional().describe('Where in the policy document the answer comes from'),
  })
  .strict()
  .superRefine((entry, ctx) => {
    if ((entry.answer === undefined) === (entry.answer_from === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [entry.answer === undefined ? 'answer' : 'answer_from'],
        message: 'a FAQ entry needs exactly one of answer (written text) or answer_from (channels, tools, approval, objectives, general_goal)',
      });
    }
  });
export type FaqEntry = z.infer<typeof FaqEntry>;

export const MenuAction = z.enum(['apply', 'faq', 'status', 'volunteer', 'agent', 'survey', 'language']);
export type MenuAction = z.infer<typeof MenuAction>;

export const MenuItem = z
  .object({
    action: MenuAction,
    label: Localized,
    keywords: Keywords.optional(),
  })
  .strict();

const Weekday = z.enum(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']);
const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM, 24-hour');

export const WorkingHours = z
  .object({
    confirmed: z
      .boolean()
      .default(true)
      .describe('true (the default when this block is written): the association stated these hours and the bot may tell them to beneficiaries; false: used only for the SLA timers, never shown'),
    timezone: z.string().default('Asia/Riyadh'),
    days: z.array(Weekday).min(1),
    start: Clock,
    end: Clock,
  })
  .strict();
export type WorkingHours = z.infer<typeof WorkingHours>;

/**
 * The calendar the SLA timers count in when a flow gives no working hours (no seed states
 * any). It is never told to beneficiaries: `confirmed: false` makes the bot say only that
 * staff reply during working hours.
 */
export const DEFAULT_WORKING_HOURS: WorkingHours = {
  confirmed: false,
  timezone: 'Asia/Riyadh',
  days: ['sun', 'mon', 'tue', 'wed', 'thu'],
  start: '08:00',
  end: '15:00',
};

export const SurveyQuestion = z.discriminatedUnion('type', [
  z
    .object({
      id: Id,
      type: z.literal('rating'),
      prompt: Localized.describe('The question only; the bot adds the scale ("1 = …, 5 = …") from labels'),
      scale: z.number().int().min(3).max(10).default(5),
      labels: z
        .array(Localized)
        .min(3)
        .max(10)
        .optional()
        .describe('One label per point of the scale, lowest first, worded for this question (quality words for satisfaction, ease words for ease); without labels the buttons show numbers'),
    })
    .strict(),
  z
    .object({
      id: Id,
      type: z.literal('text'),
      prompt: Localized,
      required: z.boolean().default(false),
      max: z.number().int().min(1).max(2000).default(500),
    })
    .strict(),
]);
export type SurveyQuestion = z.infer<typeof SurveyQuestion>;

export const PolicyChannel = z
  .object({
    key: z.enum([
      'interview',
      'phone',
      'social_media',
      'letters',
      'help_requests',
      'volunteering',
      'website',
      'branch_representatives',
    ]),
    label: Localized,
    digital: z.boolean().describe('Digital channels are adapters; offline ones are logged by staff'),
  })
  .strict();

/** One detailed objective of the policy; some have sub-points ("وذلك عن طريق ما يلي"). */
export const Objective = z
  .object({
    ar: z.string().trim().min(1),
    en: z.string().trim().min(1),
    sms: SmsText.optional().describe('The objective in a few words for the SMS answer, which lists the objectives without their points'),
    points: z.array(Localized).min(1).optional(),
  })
  .strict();
export type Objective = z.infer<typeof Objective>;

/** الهدف العام and الأهداف التفصيلية, copied from the seed in its order. */
export const Objectives = z
  .object({
    general: Localized.describe('الهدف العام'),
    detailed: z.array(Objective).min(1).describe('الأهداف التفصيلية, in the seed\'s order'),
    note: z.string().optional().describe('Where the text differs from the seed (spelling fixed, audience word) and why'),
  })
  .strict();
export type Objectives = z.infer<typeof Objectives>;

export const FlowFile = z
  .object({
    format: z.literal(FLOW_FORMAT_VERSION).describe('Flow file format version'),
    id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'the association id: lower-case latin letters, digits and hyphens'),
    name: Localized.describe("The association's name"),
    short_name: Localized.optional(),
    audience: z
      .object({
        singular: Localized.describe('How the association calls the person it serves: مستفيد / عضو / مستخدم'),
        plural: Localized,
      })
      .strict(),
    source: z
      .object({
        seed: z.string().describe('The policy document this flow was written from'),
        title: z.string().describe("The policy's Arabic title"),
      })
      .strict(),
    approval: z
      .object({
        body: Localized,
        meeting: z
          .union([z.string(), Localized])
          .optional()
          .describe('The meeting, as the policy names it (Arabic, or both languages so the approval FAQ can name it in English)'),
        date_gregorian: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
        date_hijri: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
        note: z.string().optional().describe('Anything odd about the approval text in the seed'),
      })
      .strict(),
    policy_channels: z.array(PolicyChannel).min(1).describe('The channels the policy lists, in its order'),
    tools: z
      .array(z.object({ id: Id, label: Localized }).strict())
      .min(1)
      .describe("The tools the policy gives relations staff (guides, forms); linked in the console"),
    objectives: Objectives.optional().describe("The policy's general goal and detailed objectives, as the seed words them"),
    reference_prefix: z.string().regex(/^[A-Z]{2,5}$/, '2 to 5 capital latin letters'),
    committee: z
      .object({
        name: Localized,
        min_days: z.number().int().min(1).max(365).describe('The period the committee takes at least, in days'),
        period: Localized.describe('The period in words, as the policy says it'),
      })
      .strict(),
    officer: Localized.describe('Who answers escalated conversations (مسؤول البحث الاجتماعي)'),
    working_hours: WorkingHours.default(DEFAULT_WORKING_HOURS).describe(
      'Leave out unless the association has stated its hours: without this block the bot tells beneficiaries only that staff reply during working hours, and the SLA timers count in DEFAULT_WORKING_HOURS (Sunday–Thursday 08:00–15:00, Asia/Riyadh)',
    ),
    escalation: z
      .object({
        max_failed_answers: z.number().int().min(1).max(10).default(3),
        max_not_understood: z.number().int().min(1).max(10).default(2),
        unclaimed_alert_minutes: z.number().int().min(1).default(30),
      })
      .strict(),
    timers: z
      .object({
        resume_after_minutes: z.number().int().min(1).default(360).describe('A pause longer than this greets the beneficiary back'),
        intake_reminder_hours: z.number().int().min(1).default(48),
        survey_delay_hours: z.number().int().min(0).default(24),
        survey_reminder_hours: z.number().int().min(1).default(72),
      })
      .strict()
      .default({ resume_after_minutes: 360, intake_reminder_hours: 48, survey_delay_hours: 24, survey_reminder_hours: 72 }),
    sms: z
      .object({
        max_parts: z
          .number()
          .int()
          .min(1)
          .max(10)
          .default(DEFAULT_SMS_MAX_PARTS)
          .describe(
            `How many SMS parts one reply may take (default ${DEFAULT_SMS_MAX_PARTS}). \`tawasul flows check\` renders every reply an SMS conversation can receive (sms variants where given) and fails for one that takes more; the review of a form is counted without the answers, which are the beneficiary's`,
          ),
      })
      .strict()
      .default({ max_parts: DEFAULT_SMS_MAX_PARTS })
      .describe('SMS costs: every part of a reply is paid'),
    greeting: Localized.describe('The first words, naming the association'),
    menu: z.array(MenuItem).min(1).max(9),
    faq: z.array(FaqEntry).min(1),
    intake: Form.describe('The support-request form'),
    attestation: Localized.describe('What the beneficiary confirms before submitting'),
    submitted: Localized.describe('Said after submission; {reference}, {committee}, {period} are filled in'),
    volunteer: Form.optional(),
    survey: z
      .object({
        intro: Localized.describe('Introduces the survey as a right and a tool for improvement, not for blame'),
        questions: z.array(SurveyQuestion).min(1),
        thanks: Localized,
      })
      .strict(),
  })
  .strict();

export type FlowFile = z.infer<typeof FlowFile>;
/** The input shape (before defaults), which is what a YAML file contains. */
export type FlowFileInput = z.input<typeof FlowFile>;
