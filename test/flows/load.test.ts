import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlow, type FlowProblem } from '../../src/flows/load.ts';
import { flowJsonSchemaText } from '../../src/flows/json-schema.ts';
import { FLOWS, ROOT } from '../support/scenario.ts';

const file = join(ROOT, 'flows/saudi-exhibitions.yaml');
const source = readFileSync(file, 'utf8');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function problemsOf(text: string): FlowProblem[] {
  const result = parseFlow(text, 'broken.yaml');
  expect(result.ok, 'the broken flow must not load').toBe(false);
  return result.ok ? [] : result.problems;
}

describe('flow files', () => {
  it('the generated JSON Schema is up to date (run `npm run flows:schema` after changing the zod schema)', () => {
    expect(readFileSync(join(ROOT, 'flows/flow.schema.json'), 'utf8')).toBe(flowJsonSchemaText());
  });

  it('loads all five associations, one per seed', () => {
    expect([...FLOWS.keys()].sort()).toEqual(['green-energy', 'qalam', 'saa-hajj', 'saudi-exhibitions', 'sidr']);
    const seeds = [...FLOWS.values()].map((f) => f.source.seed).sort();
    expect(seeds).toEqual(['000_849b51a95656ebfe.txt', '001_975f715aebf59d8f.txt', '002_b454cf4b604268e3.txt', '003_41e345cdfd4a9b0d.txt', '004_ec2d4234e489e4b9.txt']);
  });

  it('keeps each association\'s own facts from its seed', () => {
    const f = (id: string) => FLOWS.get(id)!;
    expect(f('saudi-exhibitions').policy_channels).toHaveLength(8);
    expect(f('qalam').policy_channels).toHaveLength(7);
    expect(f('qalam').policy_channels.map((c) => c.key)).not.toContain('branch_representatives');
    expect(f('sidr').policy_channels).toHaveLength(7);
    expect(f('sidr').audience.singular.ar).toBe('عضو');
    expect(f('green-energy').audience.singular.ar).toBe('مستفيد');
    expect(f('saudi-exhibitions').audience.singular.ar).toBe('مستفيد');
    expect(f('sidr').tools.map((t) => t.label.ar).join(' ')).not.toContain('البحث الاجتماعي');
    expect(f('sidr').intake.title.ar).toContain('عضو');
    expect(f('saa-hajj').name.en).toMatch(/SAA/);
    expect(f('qalam').approval.date_hijri).toBe('1445-05-13');
    expect(f('qalam').approval.date_gregorian).toBe('2023-11-27');
    expect(f('saudi-exhibitions').approval.date_gregorian).toBe('2021-06-23');
    for (const flow of FLOWS.values()) {
      expect(flow.committee.min_days, flow.id).toBeGreaterThanOrEqual(14);
      expect(flow.greeting.ar, flow.id).toContain(flow.name.ar.replace(/^جمعية /, '').split(' ')[0]);
    }
  });

  it('names file, line and field for a value of the wrong type', () => {
    const broken = source.replace('type: national_id', 'type: nationalid');
    const [p] = problemsOf(broken);
    expect(p!.file).toBe('broken.yaml');
    expect(p!.field).toMatch(/^intake\.fields\.\d+\.type$/);
    expect(p!.line).toBe(lineOf(broken, 'type: nationalid'));
  });

  it('names the line of a duplicate field id', () => {
    const broken = source.replace('- id: city', '- id: full_name');
    const problems = problemsOf(broken);
    const dup = problems.find((p) => p.message.includes('duplicate field id'));
    expect(dup).toBeDefined();
    expect(dup!.line).toBe(lineOf(source, '- id: city'));
  });

  it('names the line of a YAML syntax error', () => {
    const lines = source.split('\n');
    lines.splice(5, 0, 'bad: [unclosed');
    const [p] = problemsOf(lines.join('\n'));
    expect(p!.message).toMatch(/^YAML/);
    expect(p!.line).toBeGreaterThanOrEqual(6);
  });

  it('reports a missing required setting by name', () => {
    const broken = source.replace(/^reference_prefix:.*$/m, '');
    expect(problemsOf(broken).map((p) => p.field)).toContain('reference_prefix');
  });

  it('refuses a choice option that is a global word', () => {
    const flow = FLOWS.get('qalam')!;
    const choice = flow.intake.fields.find((f) => f.type === 'choice')!;
    const label = choice.type === 'choice' ? choice.options[0]!.label.ar : '';
    const broken = readFileSync(join(ROOT, 'flows/qalam.yaml'), 'utf8').replace(`ar: ${label}`, 'ar: القائمة');
    expect(problemsOf(broken).some((p) => p.message.includes('global word'))).toBe(true);
  });

  it('refuses a submitted text without the reference placeholder', () => {
    const broken = source.replace(/\{reference\}/g, 'XXX');
    expect(problemsOf(broken).some((p) => p.field.startsWith('submitted') && p.message.includes('{reference}'))).toBe(true);
  });
});
