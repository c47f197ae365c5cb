import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../backend/config.js';
import { openDatabase } from '../../backend/db/client.js';
import { sqliteStore } from '../../backend/db/sqlite-store.js';
import { createJobQueue } from '../../backend/jobs/open-queue.js';
import { createCampaign } from '../../backend/services/campaigns.js';
import { startWorker } from './process.js';

const root = join(import.meta.dirname, '..', '..');
const cli = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'backend/cli.ts'), ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });

describe('twinlab CLI', () => {
  it('prints help listing every command, and exits 2 on an unknown command', () => {
    const help = cli(['--help'], {});
    expect(help.status).toBe(0);
    for (const cmd of ['serve', 'worker', 'import', 'export', 'token create']) expect(help.stdout).toContain(cmd);
    const bad = cli(['frobnicate'], { TWINLAB_DATA: mkdtempSync(join(tmpdir(), 'twinlab-cli-')) });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown command "frobnicate"');
  });

  it('refuses to start a worker without job slots or with an unknown job kind, naming the known kinds', () => {
    const data = mkdtempSync(join(tmpdir(), 'twinlab-cli-'));
    const noSlots = cli(['worker'], { TWINLAB_DATA: data, TWINLAB_JOB_SLOTS: '0' });
    expect(noSlots.status).toBe(1);
    expect(noSlots.stderr).toContain('TWINLAB_JOB_SLOTS');
    const unknown = cli(['worker'], { TWINLAB_DATA: data, TWINLAB_JOB_SLOTS: '1', TWINLAB_WORKER_KINDS: 'suggest-batch,frobnicate' });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('unknown job kind frobnicate');
    expect(unknown.stderr).toContain('train-surrogate, segment-campaign, predict-images, suggest-batch');
  });

  it('runs a worker on the SQLite store that says what it runs and exits 0 on SIGTERM', async () => {
    const worker = await startWorker({ TWINLAB_DATA: mkdtempSync(join(tmpdir(), 'twinlab-cli-')), TWINLAB_JOB_SLOTS: '2', TWINLAB_WORKER_KINDS: 'suggest-batch' });
    expect(worker.output()).toMatch(/twinlab worker running suggest-batch \(2 slots, database .*twinlab\.sqlite/);
    expect(await worker.stop('SIGTERM')).toBe(0);
  }, 90_000);

  it('imports samples and results from CSV files and exports the joined CSV', async () => {
    const data = mkdtempSync(join(tmpdir(), 'twinlab-cli-'));
    const config = loadConfig({ TWINLAB_DATA: data });
    const store = sqliteStore(openDatabase(config.databasePath));
    const id = (await createCampaign({ db: store, config, jobs: createJobQueue(store, config) }, {
      name: 'cli',
      parameters: [{ name: 'x', type: 'continuous', min: 0, max: 10 }],
      objectives: [{ name: 'y', goal: 'maximize' }],
    })).id;
    await store.close();
    writeFileSync(join(data, 's.csv'), 'externalId,x\nA,1\nB,2\n');
    writeFileSync(join(data, 'r.csv'), 'externalId,y\nA,0.5\n');
    const env = { TWINLAB_DATA: data };
    expect(cli(['import', '--campaign', String(id), '--samples', join(data, 's.csv')], env).stdout).toContain('imported 2 samples');
    expect(cli(['import', '--campaign', String(id), '--results', join(data, 'r.csv')], env).stdout).toContain('imported 1 results');
    const out = join(data, 'out.csv');
    expect(cli(['export', '--campaign', String(id), '--out', out], env).status).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('sampleId,externalId,status,smiles,x,y,resultId,source,createdAt,retracted,corrections');
    expect(lines[1]).toMatch(/^1,A,measured,,1,0\.5,1,cli,/);
    expect(lines[2]).toBe('2,B,candidate,,2,,,,,,');
  });

  it('reports a bad import with its reason and exit code 1, importing nothing', async () => {
    const data = mkdtempSync(join(tmpdir(), 'twinlab-cli-'));
    const config = loadConfig({ TWINLAB_DATA: data });
    const store = sqliteStore(openDatabase(config.databasePath));
    const id = (await createCampaign({ db: store, config, jobs: createJobQueue(store, config) }, { name: 'cli', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 10 }] })).id;
    await store.close();
    writeFileSync(join(data, 's.csv'), 'x\n1\n11\n');
    const r = cli(['import', '--campaign', String(id), '--samples', join(data, 's.csv')], { TWINLAB_DATA: data });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('invalid_rows');
    expect(r.stderr).toContain('11 is outside the range [0, 10]');
    const after = openDatabase(config.databasePath);
    expect(after.sqlite.prepare('SELECT count(*) AS n FROM sample').get()).toEqual({ n: 0 });
    after.close();
  });
});
