/**
 * Each flow says what its association's policy (its seed) says: the association's name, the
 * audience term, the channels (labels, order, count), the tools, the committee and its period,
 * and the approval date(s). The facts are read from the seed text itself, never written here,
 * so a flow that drifts from its seed — or a seed that changes — fails by name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFlows } from '../../src/flows/load.ts';
import type { FlowFile } from '../../src/flows/schema.ts';
import { matchKey } from '../../src/text/normalize.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FLOWS = loadFlows(join(ROOT, 'flows'));

/** In CI the repository sits next to shared/, as on the development machine. */
const SEEDS = resolve(ROOT, '../shared/seeds');

/** One line of seed text as a comparison key: normalised, and with the spaces text extraction breaks words with removed. */
const key = (s: string) => matchKey(s).replace(/ /g, '');

/** The seed's lines, each stripped of list markers ("- ", "1 - ", "(١)", "٥ . ", "•") and of markdown heading marks. */
function seedLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) =>
      l
        .replace(/^[\s#>*•\-–]*/, '')
        .replace(/^\(?\s*[0-9٠-٩۰-۹]+\s*\)?\s*[-.)]?\s*/, '')
        .replace(/^[\s\-–•*]*/, '')
        .trim(),
    )
    .filter((l) => l !== '');
}

function lastIndexWhere(lines: string[], test: (l: string) => boolean, before = lines.length): number {
  for (let i = before - 1; i >= 0; i--) if (test(lines[i]!)) return i;
  return -1;
}

/**
 * The items of the list under the last heading that contains `heading`, up to the line that
 * contains `until` (the last occurrence is the body's; a table of contents comes first).
 */
function listUnder(lines: string[], heading: string, until: string): string[] {
  const end = lastIndexWhere(lines, (l) => key(l).includes(key(until)));
  const start = lastIndexWhere(lines, (l) => key(l).includes(key(heading)), end);
  if (start < 0 || end < 0) return [];
  return lines
    .slice(start + 1, end)
    .map((l) => l.replace(/[.،:؛\s]+$/u, '').trim())
    .filter((l) => key(l) !== '');
}

interface SeedFacts {
  /** The subject of "تضع … السياسات" in the preamble. */
  preambleName: string;
  /** The whole text, one key per line, to find the full name in (a title or a letterhead). */
  lineKeys: string[];
  /** Every line that names the policy ("سياسة تنظيم العلاقة مع …"), as keys. */
  titles: string[];
  /** The noun after "ويتم التعامل مع" in the procedure: المستفيد / الاعضاء / … */
  audience: string;
  channels: string[];
  tools: string[];
  committee: string;
  period: string;
  approvalDates: { calendar: 'hijri' | 'gregorian'; iso: string }[];
  ambiguousDates: string[];
}

const toAscii = (s: string) => s.replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660)).replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0));

function readSeed(file: string): SeedFacts {
  const path = join(SEEDS, file);
  if (!existsSync(path)) {
    throw new Error(`seed ${file} not found in ${SEEDS}: the repository must sit next to shared/ (shared/seeds/<flow.source.seed>)`);
  }
  const text = readFileSync(path, 'utf8');
  const lines = seedLines(text);
  const joined = lines.join('\n');

  const preamble = /تضع\s+(.+?)\s+السياسات/.exec(joined)?.[1] ?? '';
  const titles = lines.filter((l) => l.includes('سياسة تنظيم العلاقة مع')).map(key);
  const procedure = lines[lastIndexWhere(lines, (l) => key(l).includes(key('ويتم التعامل مع')))] ?? '';
  const audience = /ويتم التعامل مع\s+(\S+)/.exec(procedure)?.[1] ?? '';
  const channels = listUnder(lines, 'القنوات المستخدمة للتواصل مع', 'الأدوات المتاحة لموظف');
  const tools = listUnder(lines, 'الأدوات المتاحة لموظف', 'ويتم التعامل مع');
  const referral = lines.find((l) => l.includes('سيرفع')) ?? '';
  const committee = /سيرفع\s+(?:إلى\s+|الى\s+)?ل?(لجنة\s+\S+)/.exec(referral)?.[1] ?? '';
  const period = /خلال\s+مدة\s+(.+?)\s*\.?$/.exec(referral)?.[1] ?? '';

  // The approval: from the last line that speaks of approving (اعتمد / اعتماد) to the end.
  const approvalAt = lastIndexWhere(lines, (l) => /اعتم(د|اد)/.test(l));
  const approval = approvalAt < 0 ? '' : toAscii(lines.slice(approvalAt).join(' '));
  const approvalDates: SeedFacts['approvalDates'] = [];
  const ambiguousDates: string[] = [];
  for (const m of approval.matchAll(/(\d{1,4})\s*\/\s*(\d{1,2})\s*\/\s*(\d{1,4})\s*(هـ|ه|م)?/g)) {
    const [raw, a, b, c, marker] = m as unknown as [string, string, string, string, string | undefined];
    const [first, second, third] = [Number(a), Number(b), Number(c)];
    const yearFirst = a.length === 4;
    const year = yearFirst ? first : c.length === 4 ? third : NaN;
    if (Number.isNaN(year)) {
      ambiguousDates.push(raw.trim());
      continue;
    }
    let [day, month] = yearFirst ? [third, second] : [first, second];
    // 6/23/2021: a first part over 12 is not a month, a second over 12 is not a month either.
    if (!yearFirst && month > 12 && day <= 12) [day, month] = [month, day];
    const calendar = marker === 'هـ' || marker === 'ه' || year < 1600 ? 'hijri' : 'gregorian';
    approvalDates.push({ calendar, iso: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` });
  }
  return { preambleName: preamble, lineKeys: lines.map(key), titles, audience, channels, tools, committee, period, approvalDates, ambiguousDates };
}

/** 14 for أسبوعين, 7 for أسبوع, 21 for ثلاثة أسابيع, 30 for شهر, N for "N يومًا". */
function periodDays(period: string): number | undefined {
  const k = key(period);
  if (k.includes('اسبوعين')) return 14;
  if (k.includes('ثلاثهاسابيع')) return 21;
  if (k.includes('شهرين')) return 60;
  if (k.includes('شهر')) return 30;
  if (k.includes('اسبوع')) return 7;
  const n = /(\d+)(يوم|ايام)/.exec(toAscii(k));
  return n ? Number(n[1]) : undefined;
}

/** The words the bot says to a beneficiary outside the FAQ (which cites the seed's own wording). */
function spokenTexts(flow: FlowFile): string[] {
  const forms = [flow.intake, ...(flow.volunteer ? [flow.volunteer] : [])];
  return [
    flow.greeting.ar,
    flow.attestation.ar,
    flow.submitted.ar,
    flow.survey.intro.ar,
    flow.survey.thanks.ar,
    ...flow.menu.map((m) => m.label.ar),
    ...flow.survey.questions.map((q) => q.prompt.ar),
    ...forms.flatMap((f) => [f.title.ar, f.intro.ar, ...f.fields.flatMap((x) => [x.label.ar, x.prompt.ar, x.help?.ar ?? ''])]),
  ];
}

const AUDIENCE_TERMS = ['مستفيد', 'مستخدم', 'عضو'];

describe('each flow keeps its seed\'s facts', () => {
  for (const flow of FLOWS.values()) {
    describe(`${flow.id} (${flow.source.seed})`, () => {
      const seed = () => readSeed(flow.source.seed);

      it('names the association as its seed does', () => {
        const s = seed();
        expect(s.preambleName, 'the preamble "تضع … السياسات" was not found in the seed').not.toBe('');
        const names = [flow.name.ar, flow.short_name?.ar, flow.short_name && `جمعية ${flow.short_name.ar}`].filter(Boolean).map((n) => key(n!));
        expect(names, `the seed's preamble names "${s.preambleName}"`).toContain(key(s.preambleName));
        // The full name is the preamble's subject, or a line of its own (a title "لجمعية …", a letterhead).
        const full = key(flow.name.ar);
        const named = key(s.preambleName) === full || s.lineKeys.some((l) => l === full || l === `ل${full}`);
        expect(named, `"${flow.name.ar}" is neither the preamble's subject nor a line of the seed`).toBe(true);
        // A title line may go on with the association's name ("… مع المستفيدين لجمعية سعى …").
        expect(s.titles.some((t) => t.startsWith(key(flow.source.title))), `source.title "${flow.source.title}" is not a title of the seed`).toBe(true);
      });

      it("speaks to the seed's audience, in one term", () => {
        const s = seed();
        expect(s.audience, 'the procedure heading "ويتم التعامل مع …" was not found').not.toBe('');
        expect([key(`ال${flow.audience.singular.ar}`), key(flow.audience.plural.ar)], `the seed deals with "${s.audience}"`).toContain(key(s.audience));
        const others = AUDIENCE_TERMS.filter((t) => key(t) !== key(flow.audience.singular.ar));
        const mixed = spokenTexts(flow).filter((t) => others.some((o) => key(t).includes(key(o))));
        // The form may keep its seed name (طلب دعم مستفيد is a tool the policy names); nothing else mixes terms.
        const toolNames = flow.tools.map((t) => key(t.label.ar));
        expect(mixed.filter((t) => !toolNames.some((n) => key(t).includes(n)))).toEqual([]);
      });

      it('lists the channels of the seed, in its order', () => {
        const s = seed();
        expect(s.channels.length, 'no channel list found under "القنوات المستخدمة للتواصل مع"').toBeGreaterThan(0);
        expect(flow.policy_channels.map((c) => key(c.label.ar))).toEqual(s.channels.map(key));
      });

      it('lists the tools of the seed', () => {
        const s = seed();
        expect(s.tools.length, 'no tool list found under "الأدوات المتاحة لموظف …"').toBeGreaterThan(0);
        expect(flow.tools.map((t) => key(t.label.ar))).toEqual(s.tools.map(key));
      });

      it('names the committee and its period as the seed does', () => {
        const s = seed();
        expect(s.committee, 'no "سيرفع للجنة …" sentence found').not.toBe('');
        expect(key(flow.committee.name.ar)).toBe(key(s.committee));
        expect(key(flow.committee.period.ar)).toBe(key(s.period));
        expect(flow.committee.min_days).toBe(periodDays(s.period));
      });

      it('records the approval date(s) the seed gives, and none it does not', () => {
        const s = seed();
        const recorded = [
          ...(flow.approval.date_hijri ? [{ calendar: 'hijri', iso: flow.approval.date_hijri }] : []),
          ...(flow.approval.date_gregorian ? [{ calendar: 'gregorian', iso: flow.approval.date_gregorian }] : []),
        ];
        const sort = (l: { calendar: string; iso: string }[]) => [...l].sort((a, b) => a.calendar.localeCompare(b.calendar));
        expect(sort(recorded)).toEqual(sort(s.approvalDates));
        // A date the seed writes ambiguously (a two-digit year) is explained, not guessed.
        for (const raw of s.ambiguousDates) expect(toAscii(flow.approval.note ?? ''), `approval.note should quote ${raw}`).toContain(raw.replace(/\s+/g, ''));
      });

      it('states working hours only if the seed does', () => {
        const text = readFileSync(join(SEEDS, flow.source.seed), 'utf8');
        const seedGivesHours = /ساعات العمل|أوقات العمل|اوقات العمل|الدوام/.test(text);
        if (!seedGivesHours) expect(flow.working_hours.confirmed, 'no seed states working hours: leave working_hours out or set confirmed: false').toBe(false);
      });
    });
  }
});
