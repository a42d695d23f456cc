import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { ROOT } from './support/scenario.ts';

describe('configuration operators rely on', () => {
  it('PORT sets the HTTP port; HTTP_PORT, when also set, wins; 3000 otherwise', () => {
    expect(loadConfig({ PORT: '8080' }).http.port).toBe(8080);
    expect(loadConfig({ PORT: '8080', HTTP_PORT: '9090' }).http.port).toBe(9090);
    expect(loadConfig({}).http.port).toBe(3000);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('tawasul --version prints the package version', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const out = execFileSync(process.execPath, [join(ROOT, 'bin/tawasul.js'), '--version'], { encoding: 'utf8' });
    expect(out.trim()).toBe(version);
  });
});
