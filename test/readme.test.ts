/** The README's curl walkthrough runs verbatim against a real server (only the port differs). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startService, type ServiceProcess } from './backend/process.js';

const root = join(import.meta.dirname, '..');
let service: ServiceProcess | undefined;
afterAll(async () => service?.stop());

describe('README', () => {
  it('shows the two commands', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });

  it('has a curl walkthrough that works verbatim: create campaign, import samples, post results, export', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = readme.split('<!-- walkthrough:start -->')[1].split('<!-- walkthrough:end -->')[0];
    const script = block.replace(/^```bash\n/m, '').replace(/```\s*$/m, '');
    expect(script).toContain('TOKEN=change-me');
    // As a new user would run it: with the demo campaigns seeded at first start.
    service = await startService({ TWINLAB_DATA: mkdtempSync(join(tmpdir(), 'twinlab-readme-')), TWINLAB_ADMIN_TOKEN: 'change-me', TWINLAB_DEMO: '1' });
    const port = new URL(service.url).port;
    const cwd = mkdtempSync(join(tmpdir(), 'twinlab-walk-'));
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)], { cwd, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out).toContain('"name":"Isoporous membranes"');
    expect(out).toContain('"inserted":2');
    expect(out).toMatch(/"inserted":2,"items":\[\{"id":\d+,"campaignId":\d+,"sampleId":\d+,"outcomes":\{"pore":27.5/);
    const csv = out.slice(out.indexOf('sampleId,externalId'), out.indexOf('{"suggestionId"'));
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('sampleId,externalId,status,smiles,concentration,evaporation,solvent,pore,permeance,order,resultId,source,createdAt,retracted,corrections');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^\d+,M-001,measured,,24,10,DMF\/THF,27.5,410,0.8,/);
    expect(lines[2]).toMatch(/^\d+,M-002,candidate,,28,30,dioxane\/THF,,,,,,,,$/);
    expect(lines[3]).toMatch(/^\d+,,measured,,30,8,DMF\/THF,34.1,260,,/);
    const suggestion = JSON.parse(out.slice(out.indexOf('{"suggestionId"')));
    expect(suggestion.pool).toBe(true);
    expect(suggestion.items).toHaveLength(1);
    expect(suggestion.items[0].params).toEqual({ concentration: 28, evaporation: 30, solvent: 'dioxane/THF' });
    expect(suggestion.items[0].strategy).toBe('space-filling');
  });
});
