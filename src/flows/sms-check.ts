/**
 * The SMS parts check of `tawasul flows check`: every reply an SMS conversation can receive,
 * rendered as the SMS channel sends it (choices as numbered lines), counted in parts, and
 * each one over the association's `sms.max_parts` reported with where its text is.
 */
import { renderPlain } from '../channels/render.ts';
import { smsSegments } from '../channels/sms.ts';
import { smsReplies } from '../engine/sms-replies.ts';
import type { FlowFile } from './schema.ts';
import type { FlowProblem } from './load.ts';

export interface SmsCount {
  what: string;
  lang: 'ar' | 'en';
  path: (string | number)[];
  text: string;
  encoding: 'GSM-7' | 'UCS-2';
  units: number;
  parts: number;
  /** The review: counted without the answers, reported, never failed. */
  withoutAnswers?: boolean;
}

/** Every SMS reply of a flow with its part count. */
export function smsCounts(flow: FlowFile): SmsCount[] {
  return smsReplies(flow).map((r) => {
    const text = renderPlain(r.text, r.choices);
    const { encoding, units, segments } = smsSegments(text);
    return { what: r.what, lang: r.lang, path: r.path, text, encoding, units, parts: segments, ...(r.withoutAnswers ? { withoutAnswers: true } : {}) };
  });
}

/** The replies over the flow's `sms.max_parts`, as problems naming the file, the line and the text. */
export function smsProblems(flow: FlowFile, file: string, locate: (path: (string | number)[]) => { line: number; column: number }): FlowProblem[] {
  const max = flow.sms.max_parts;
  return smsCounts(flow)
    // The review holds the beneficiary's answers, which the policy requires to be shown in full before they confirm.
    .filter((c) => c.parts > max && !c.withoutAnswers)
    .map((c) => {
      const builtIn = c.path.length === 0;
      const field = builtIn ? c.what.split(' ')[0]! : [...c.path, 'sms', c.lang].join('.');
      const where = builtIn ? 'shorten it in src/engine/messages.ts (sms)' : `give it a shorter sms.${c.lang}`;
      return {
        file,
        ...(builtIn ? { line: 1, column: 1 } : locate([...c.path, 'sms', c.lang])), // the sms wording's own line when there is one
        field,
        message: `SMS reply "${c.what}" (${c.lang}) takes ${c.parts} parts (${c.units} ${c.encoding} characters), more than sms.max_parts ${max}: ${where}`,
      };
    });
}
