import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { loadScenario, playScenario, ROOT } from './support/scenario.ts';

const dir = join(ROOT, 'test/scenarios');
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml')).sort();

describe('conversation scenarios', () => {
  for (const file of files) {
    const scenario = loadScenario(join(dir, file));
    it(`${file}: ${scenario.title}`, () => playScenario(scenario));
  }
});
