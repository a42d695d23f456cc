/**
 * One loading pipeline for flow files: size limit → YAML parse → schema → semantic checks.
 * Every problem names the file, the line and the field; a broken flow never loads silently.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { FlowFile, type Localized } from './schema.ts';
import { GLOBAL_WORD_KEYS, globalWord } from '../engine/words.ts';
import { matchKey, normalizeArabic, tokens } from '../text/normalize.ts';

const MAX_FLOW_BYTES = 512 * 1024;

/** Words of a skip explanation ("اكتب «تخطي» للتجاوز", "type skip"), as tokens() gives them. */
const SKIP_HINT_WORDS = new Set(['تخطي', 'تخطى', 'skip'].map(matchKey));

/** Wording that states a requirement; not for fields the policy does not ask for. */
const RULE_WORDS = {
  ar: ['يشترط', 'تشترط', 'شرط', 'الزامي', 'إلزامي', 'يجب', 'تطلب الجمعية', 'مطلوب'].map(normalizeArabic),
  en: ['required', 'requires', 'mandatory', 'must '],
};

export interface FlowProblem {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
}

export class FlowLoadError extends Error {
  readonly code = 'TAWASUL_ERR_FLOW_INVALID';
  constructor(readonly problems: FlowProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'FlowLoadError';
  }
}

export function formatProblem(p: FlowProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.field || '(file)'}: ${p.message}`;
}

export type LoadResult = { ok: true; flow: FlowFile } | { ok: false; problems: FlowProblem[] };

/** Parses and checks flow source text; `file` is only used in problem reports. */
export function parseFlow(source: string, file: string): LoadResult {
  if (Buffer.byteLength(source) > MAX_FLOW_BYTES) {
    return { ok: false, problems: [{ file, line: 1, column: 1, field: '', message: `file is larger than ${MAX_FLOW_BYTES / 1024} KiB` }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, field: '', message: `YAML: ${e.message.split('\n')[0]}` };
      }),
    };
  }
  const at = (path: (string | number)[]) => locate(doc, lineCounter, path);
  const parsed = FlowFile.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        return { file, ...at(path), field: path.join('.'), message: issue.message };
      }),
    };
  }
  const problems = semanticProblems(parsed.data).map(({ path, message }) => ({
    file,
    ...at(path),
    field: path.join('.'),
    message,
  }));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, flow: parsed.data };
}

/** Reads one flow file; throws FlowLoadError listing every problem. */
export function loadFlowFile(path: string): FlowFile {
  const result = parseFlow(readFileSync(path, 'utf8'), path);
  if (!result.ok) throw new FlowLoadError(result.problems);
  return result.flow;
}

/** The flow files in a directory, sorted (flow.schema.json and other non-YAML files are skipped). */
export function listFlowFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => resolve(join(dir, f)));
}

/** Loads every flow in a directory; all problems of all files are reported together. */
export function loadFlows(dir: string): Map<string, FlowFile> {
  const flows = new Map<string, FlowFile>();
  const problems: FlowProblem[] = [];
  for (const file of listFlowFiles(dir)) {
    const result = parseFlow(readFileSync(file, 'utf8'), file);
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const expected = basename(file).replace(/\.ya?ml$/, '');
    if (result.flow.id !== expected) {
      problems.push({ file, line: 1, column: 1, field: 'id', message: `id "${result.flow.id}" must match the file name "${expected}"` });
    } else {
      flows.set(result.flow.id, result.flow);
    }
  }
  if (problems.length > 0) throw new FlowLoadError(problems);
  return flows;
}

/** Where a field of a flow file's source is, for reports made after loading (the SMS parts check). */
export function flowLocator(source: string): (path: (string | number)[]) => { line: number; column: number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  return (path) => locate(doc, lineCounter, path);
}

function locate(doc: Document, lc: LineCounter, path: (string | number)[]): { line: number; column: number } {
  // A missing key has no node: report the nearest ancestor that exists.
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lc.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

interface SemanticProblem {
  path: (string | number)[];
  message: string;
}

/** Checks the schema cannot express: unique ids, ranges, cross references, reserved words. */
export function semanticProblems(flow: FlowFile): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const reserved = (text: string) => GLOBAL_WORD_KEYS.has(matchKey(text));
  const checkLocalizedNotReserved = (l: Localized, path: (string | number)[]) => {
    for (const lang of ['ar', 'en'] as const) {
      if (reserved(l[lang])) problems.push({ path: [...path, lang], message: `"${l[lang]}" is a global word and cannot be an answer` });
    }
  };
  // The bot adds the skip hint to every optional question; a prompt that carries one too prints it twice.
  const checkNoSkipHint = (prompt: Localized, path: (string | number)[]) => {
    for (const lang of ['ar', 'en'] as const) {
      if (tokens(prompt[lang]).some((t) => SKIP_HINT_WORDS.has(t))) {
        problems.push({ path: [...path, 'prompt', lang], message: 'an optional question\'s prompt must not explain skipping: the bot adds the skip hint itself' });
      }
    }
  };
  // What the association has still to confirm is asked as a help to the request, never as its rule.
  const checkNotARule = (field: { prompt: Localized; help?: Localized | undefined }, path: (string | number)[]) => {
    for (const key of ['prompt', 'help'] as const) {
      const text = field[key];
      if (!text) continue;
      for (const lang of ['ar', 'en'] as const) {
        const hit = RULE_WORDS[lang].find((w) => (lang === 'ar' ? normalizeArabic(text[lang]) : text[lang].toLowerCase()).includes(w));
        if (hit) {
          problems.push({ path: [...path, key, lang], message: `"${hit}" presents this as a rule, but the field is marked confirm: association (not in the policy); ask it as a help to the request` });
        }
      }
    }
  };
  const unique = (ids: string[], path: (string | number)[], what: string) => {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (seen.has(id)) problems.push({ path: [...path, i, 'id'], message: `duplicate ${what} id "${id}"` });
      seen.add(id);
    });
  };

  const forms = [['intake', flow.intake] as const, ...(flow.volunteer ? [['volunteer', flow.volunteer] as const] : [])];
  for (const [formKey, form] of forms) {
    unique(form.fields.map((f) => f.id), [formKey, 'fields'], 'field');
    form.fields.forEach((field, i) => {
      const path = [formKey, 'fields', i];
      if (!field.required) checkNoSkipHint(field.prompt, path);
      if (field.confirm === 'association') checkNotARule(field, path);
      if ((field.type === 'integer' || field.type === 'text') && field.min > field.max) {
        problems.push({ path: [...path, 'min'], message: `min (${field.min}) is greater than max (${field.max})` });
      }
      if (field.type === 'choice') {
        unique(field.options.map((o) => o.id), [...path, 'options'], 'option');
        field.options.forEach((o, j) => {
          checkLocalizedNotReserved(o.label, [...path, 'options', j, 'label']);
          for (const lang of ['ar', 'en'] as const) {
            (o.aliases?.[lang] ?? []).forEach((a, k) => {
              if (reserved(a)) problems.push({ path: [...path, 'options', j, 'aliases', lang, k], message: `"${a}" is a global word and cannot be an alias` });
            });
          }
        });
      }
    });
  }
  const intakeTypes = new Set(flow.intake.fields.map((f) => f.type));
  for (const needed of ['national_id', 'phone'] as const) {
    if (!intakeTypes.has(needed)) problems.push({ path: ['intake', 'fields'], message: `the support-request form needs a ${needed} field (beneficiaries are linked across channels by it)` });
  }
  unique(flow.faq.map((f) => f.id), ['faq'], 'faq');
  flow.faq.forEach((f, i) => {
    if (f.keywords.ar.length + f.keywords.en.length + f.variants.ar.length + f.variants.en.length === 0) {
      problems.push({ path: ['faq', i, 'variants'], message: 'a FAQ entry needs at least one question variant or keyword' });
    }
    if ((f.answer_from === 'objectives' || f.answer_from === 'general_goal') && !flow.objectives) {
      problems.push({ path: ['faq', i, 'answer_from'], message: `answer_from: ${f.answer_from} needs an objectives block in the flow` });
    }
  });
  unique(flow.survey.questions.map((q) => q.id), ['survey', 'questions'], 'question');
  flow.survey.questions.forEach((q, i) => {
    const path = ['survey', 'questions', i];
    if (q.type === 'rating' && q.labels) {
      if (q.labels.length !== q.scale) {
        problems.push({ path: [...path, 'labels'], message: `${q.labels.length} labels for a scale of ${q.scale}: give one label per point, lowest first` });
      }
      // The bot states the scale from the labels; a scale written into the prompt as well can disagree with them.
      for (const lang of ['ar', 'en'] as const) {
        if (/[0-9٠-٩]/.test(q.prompt[lang])) {
          problems.push({ path: [...path, 'prompt', lang], message: 'the prompt must not state the scale (numbers): the bot adds "1 = …, N = …" from labels' });
        }
      }
    }
    if (q.type === 'text' && !q.required) checkNoSkipHint(q.prompt, path);
  });

  const actions = flow.menu.map((m) => m.action);
  actions.forEach((a, i) => {
    if (actions.indexOf(a) !== i) problems.push({ path: ['menu', i, 'action'], message: `menu action "${a}" appears twice` });
  });
  if (!actions.includes('apply')) problems.push({ path: ['menu'], message: 'the menu needs an "apply" item' });
  const volunteerIndex = actions.indexOf('volunteer');
  if (volunteerIndex >= 0 && !flow.volunteer) {
    problems.push({ path: ['menu', volunteerIndex, 'action'], message: 'a "volunteer" menu item needs a volunteer form' });
  }
  // A menu label may be a global word only when both mean the same thing ("English" → language).
  const sameMeaning: Record<string, string[]> = { language: ['english', 'arabic', 'language'], status: ['status'], agent: ['agent'] };
  flow.menu.forEach((m, i) => {
    for (const lang of ['ar', 'en'] as const) {
      const word = globalWord(m.label[lang]);
      if (word && !(sameMeaning[m.action] ?? []).includes(word)) {
        problems.push({ path: ['menu', i, 'label', lang], message: `"${m.label[lang]}" is a global word (${word}) and would not reach the "${m.action}" item` });
      }
    }
  });

  for (const lang of ['ar', 'en'] as const) {
    for (const placeholder of ['{reference}', '{committee}', '{period}']) {
      if (!flow.submitted[lang].includes(placeholder)) {
        problems.push({ path: ['submitted', lang], message: `must contain ${placeholder}` });
      }
    }
  }
  if (flow.working_hours.start >= flow.working_hours.end) {
    problems.push({ path: ['working_hours', 'end'], message: 'working hours must end after they start' });
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: flow.working_hours.timezone });
  } catch {
    problems.push({ path: ['working_hours', 'timezone'], message: `unknown time zone "${flow.working_hours.timezone}"` });
  }
  return problems;
}
