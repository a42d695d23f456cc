import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLOWS, loadScenario, playScenario, ROOT, type Scenario } from './support/scenario.ts';

const dir = join(ROOT, 'test/scenarios');
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.split('\\').join('/'))
  .sort();

/** The scenario kinds every association must have, in both languages. */
const REQUIRED_KINDS = ['intake', 'escalation', 'correction', 'status-resume-duplicate', 'faq', 'language-switch', 'opt-out'];

// One describe per association folder, one test per file, named "<flow>/<file>: <title>".
const byFolder = new Map<string, string[]>();
for (const file of files) {
  const folder = dirname(file);
  byFolder.set(folder, [...(byFolder.get(folder) ?? []), file]);
}

describe('conversation scenarios', () => {
  for (const [folder, list] of byFolder) {
    describe(folder, () => {
      for (const file of list) {
        let scenario: Scenario | undefined;
        let loadError: unknown;
        try {
          scenario = loadScenario(join(dir, file));
        } catch (err) {
          loadError = err;
        }
        const name = `${file.replace(/\.yaml$/, '')}: ${scenario?.title ?? '(invalid fixture)'}`;
        it(name, async () => {
          if (!scenario) throw loadError;
          // A fixture under test/scenarios/<flow>/ must drive that flow.
          if (folder !== '.') expect(scenario.flow, `${file}: flow id vs folder`).toBe(folder);
          // The file name's language suffix and the scenario's language agree.
          const suffix = /-(ar|en)$/.exec(basename(file, '.yaml'))?.[1];
          if (suffix) expect(scenario.lang, `${file}: lang vs file name`).toBe(suffix);
          await playScenario(scenario);
        });
      }
    });
  }

  it('every association has every scenario kind in Arabic and English', () => {
    const missing = [...FLOWS.keys()].flatMap((flow) =>
      REQUIRED_KINDS.flatMap((kind) =>
        (['ar', 'en'] as const).map((lang) => `${flow}/${kind}-${lang}.yaml`).filter((f) => !existsSync(join(dir, f))),
      ),
    );
    expect(missing).toEqual([]);
  });
});
