import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FLOWS, ROOT } from './support/scenario.ts';
import { validAnswers } from './support/answers.ts';

const dir = mkdtempSync(join(tmpdir(), 'tawasul-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function chat(args: string[], input: string) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/tawasul.js'), 'chat', ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
}

function intakeLines(flowId: string): string {
  const flow = FLOWS.get(flowId)!;
  const answers = validAnswers(flow, 'intake', new Date());
  const lines = ['السلام عليكم', '١'];
  for (const a of answers) lines.push('file' in a ? `/file ${join(ROOT, a.file)}` : a.text);
  lines.push('١'); // confirm and attest
  return `${lines.join('\n')}\n`;
}

describe('tawasul chat (piped)', () => {
  for (const flowId of ['saudi-exhibitions', 'qalam', 'saa-hajj', 'green-energy', 'sidr']) {
    it(`${flowId}: a whole Arabic intake reaches a reference number and the committee message`, () => {
      const flow = FLOWS.get(flowId);
      expect(flow, `flows/${flowId}.yaml`).toBeDefined();
      const result = chat(['--org', flowId, '--db', join(dir, `${flowId}.db`), '--user', 'cli-test'], intakeLines(flowId));
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const out = result.stdout;
      expect(out).toContain(flow!.name.ar);
      expect(out).toContain(flow!.audience.singular.ar);
      expect(out).toMatch(new RegExp(`${flow!.reference_prefix}-\\d{4}-00001`));
      expect(out).toContain(flow!.committee.name.ar);
      expect(out).toContain(flow!.committee.period.ar);
    });
  }

  it('starts in English with --lang en and answers every line before reading the next', () => {
    const result = chat(['--org', 'qalam', '--lang', 'en', '--db', join(dir, 'en.db'), '--user', 'en-user'], 'hello\nmenu\n');
    expect(result.status).toBe(0);
    const replies = result.stdout.trim().split(/\n\n+/);
    expect(result.stdout).toContain(FLOWS.get('qalam')!.name.en);
    expect(replies.length).toBeGreaterThanOrEqual(2);
  });

  it('resumes the same conversation in a new process (state survives a restart)', () => {
    const db = join(dir, 'resume.db');
    const first = chat(['--org', 'sidr', '--db', db, '--user', 'resume'], 'مرحبا\n١\nمحمد عبدالله الأحمد\n');
    expect(first.status).toBe(0);
    const second = chat(['--org', 'sidr', '--db', db, '--user', 'resume'], 'الحالة\n');
    expect(second.stdout).toMatch(/لم يكتمل \(1 من \d+\)/);
  });

  it('refuses an unknown association with the list of known ones and exit code 2', () => {
    const result = chat(['--org', 'nope', '--db', join(dir, 'x.db')], 'hi\n');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown association "nope"');
    expect(result.stderr).toContain('qalam');
  });

  it('reports a missing /file path without stopping', () => {
    const result = chat(['--org', 'qalam', '--db', join(dir, 'f.db'), '--user', 'f'], '/file /no/such/file.pdf\nمرحبا\n');
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('لم نجد الملف: /no/such/file.pdf'); // in the conversation's language
    expect(result.stdout).toContain('جمعية قلم العلمية');
    const en = chat(['--org', 'qalam', '--lang', 'en', '--db', join(dir, 'f-en.db'), '--user', 'f'], 'hello\n/file /no/such/file.pdf\n');
    expect(en.stderr).toContain('file not found: /no/such/file.pdf');
  });
});

describe('tawasul flows check', () => {
  it('validates all five flows', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'bin/tawasul.js'), 'flows', 'check'], { cwd: ROOT, encoding: 'utf8' });
    expect(out.match(/^ok /gm)?.length).toBe(5);
  });
});
