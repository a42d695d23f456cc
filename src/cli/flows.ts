import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { flowLocator, formatProblem, listFlowFiles, parseFlow, type FlowProblem } from '../flows/load.ts';
import { smsCounts, smsProblems } from '../flows/sms-check.ts';
import { flowJsonSchemaText, JSON_SCHEMA_FILE } from '../flows/json-schema.ts';

export function flowsCheckCommand(files: string[]): void {
  const config = loadConfig();
  const paths = files.length > 0 ? files.map((f) => resolve(f)) : listFlowFiles(config.flowsDir);
  const problems: FlowProblem[] = [];
  const ids = new Map<string, string>();
  for (const file of paths) {
    if (!existsSync(file)) {
      problems.push({ file, line: 0, column: 0, field: '', message: 'file not found' });
      continue;
    }
    const source = readFileSync(file, 'utf8');
    const result = parseFlow(source, file);
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const { flow } = result;
    const other = ids.get(flow.id);
    if (other) problems.push({ file, line: 1, column: 1, field: 'id', message: `id "${flow.id}" is also used by ${other}` });
    ids.set(flow.id, file);
    const sms = smsProblems(flow, file, flowLocator(source));
    if (sms.length > 0) {
      problems.push(...sms);
      continue;
    }
    const volunteer = flow.volunteer ? `, volunteer form ${flow.volunteer.fields.length} fields` : '';
    const greeting = smsCounts(flow).filter((c) => c.what === 'greeting + menu').map((c) => `${c.lang} ${c.parts}`).join(', ');
    process.stdout.write(
      `ok  ${file}  ${flow.id} — ${flow.name.ar}: ${flow.intake.fields.length} intake fields, ${flow.faq.length} FAQ${volunteer}; SMS replies within ${flow.sms.max_parts} parts (greeting + menu: ${greeting})\n`,
    );
  }
  for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
  if (paths.length === 0) process.stderr.write(`no flow files in ${config.flowsDir}\n`);
  process.exitCode = problems.length > 0 || paths.length === 0 ? 1 : 0;
}

export function flowsSchemaCommand(opts: { check?: boolean }): void {
  const target = join(loadConfig().flowsDir, JSON_SCHEMA_FILE);
  const text = flowJsonSchemaText();
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (opts.check) {
    if (current !== text) {
      process.stderr.write(`${target} is stale: run \`npx tawasul flows schema\`\n`);
      process.exitCode = 1;
    }
    return;
  }
  if (current !== text) writeFileSync(target, text);
  process.stdout.write(`${target}\n`);
}
