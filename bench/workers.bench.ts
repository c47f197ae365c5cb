/**
 * Jobs per minute with one and with two `twinlab worker` processes (issue 16), with real processes on loopback: one
 * service that leaves its jobs to workers (TWINLAB_JOB_SLOTS=0) and BENCH_JOBS (default 20) continuous suggestion
 * batches of BENCH_BATCH (default 10) points, one per campaign (2 parameters, 8 results each), run as suggest-batch jobs
 * by one worker, then (on fresh campaigns) by two; each worker has one job slot. Timed from the first request to the
 * last job's end (the workers are started, and have loaded their modules, before).
 * PostgreSQL is a private cluster with durable settings (fsync on, as in production), started from Debian's binaries.
 * On a 2-core machine the service, the database and the workers share the cores: two workers cannot scale past the
 * cores (each job keeps about one core busy), so read the two-worker figure as "no loss from coordination" there; on
 * separate machines each worker brings its own cores.
 * Prints; never asserts. Run: npx tsx bench/workers.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, startWorker, type ServiceProcess, type WorkerProcess } from '../test/backend/process.js';
import { onServer, startCluster, withDatabase } from '../test/support/postgres-cluster.js';
import { printTable } from './report.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 20);
const BATCH = Number(process.env.BENCH_BATCH ?? 10);
const TOKEN = `tl_${randomBytes(24).toString('base64url')}`;

/** A JSON request as the admin; throws on an answer other than `expected`. */
async function call<T>(url: string, method: string, path: string, body: unknown, expected: number): Promise<T> {
  const res = await fetch(`${url}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status !== expected) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** JOBS campaigns with two continuous parameters and 8 results each. */
async function prepareCampaigns(url: string, tag: string): Promise<number[]> {
  const ids: number[] = [];
  for (let c = 0; c < JOBS; c++) {
    const { id } = await call<{ id: number }>(url, 'POST', '/campaigns', {
      name: `worker bench ${tag} ${c}`,
      parameters: [{ name: 'a', type: 'continuous', min: 0, max: 1 }, { name: 'b', type: 'continuous', min: 0, max: 1 }],
      objectives: [{ name: 'y', goal: 'maximize' }],
    }, 201);
    const measured = Array.from({ length: 8 }, (_, i) => {
      const [a, b] = [Number((((i + 1) * 0.618034) % 1).toFixed(6)), Number((((i + 1) * 0.414214) % 1).toFixed(6))];
      return { params: { a, b }, outcomes: { y: Math.sin(6 * a) + Math.cos(4 * b) } };
    });
    await call(url, 'POST', `/campaigns/${id}/results`, measured, 201);
    ids.push(id);
  }
  return ids;
}

/** Jobs per minute: one batch job per campaign, from the first request until every job has ended. */
async function jobsPerMinute(url: string, campaigns: number[]): Promise<{ perMinute: number; seconds: number; failed: number }> {
  const t0 = performance.now();
  const jobs = await Promise.all(campaigns.map((id, i) => call<{ id: number }>(url, 'POST', `/campaigns/${id}/suggestions`, { count: BATCH, seed: i, pool: false }, 202)));
  let failed = 0;
  await Promise.all(jobs.map(async ({ id }) => {
    for (;;) {
      const job = await call<{ status: string }>(url, 'GET', `/jobs/${id}`, undefined, 200);
      if (job.status !== 'queued' && job.status !== 'running') {
        if (job.status !== 'succeeded') failed++;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  return { perMinute: (campaigns.length / seconds) * 60, seconds, failed };
}

const cluster = await startCluster({ durable: true });
let service: ServiceProcess | undefined;
const workers: WorkerProcess[] = [];
try {
  await onServer(cluster.url, 'CREATE DATABASE bench');
  const common = { DATABASE_URL: withDatabase(cluster.url, 'bench'), TWINLAB_ADMIN_TOKEN: TOKEN, TWINLAB_DATA: mkdtempSync(join(tmpdir(), 'twinlab-bench-workers-')) };
  // No retraining is scheduled by the results (it would queue training jobs beside the batches).
  service = await startService({ ...common, TWINLAB_JOB_SLOTS: '0', TWINLAB_ENGINE_WORKERS: '1', TWINLAB_SUGGEST_SYNC_MAX_COUNT: '1', TWINLAB_RETRAIN_DELAY_SECONDS: '3600' });
  const workerEnv = { ...common, TWINLAB_JOB_SLOTS: '1', TWINLAB_WORKER_KINDS: 'suggest-batch' };

  const oneCampaigns = await prepareCampaigns(service.url, 'one');
  workers.push(await startWorker(workerEnv));
  const one = await jobsPerMinute(service.url, oneCampaigns);
  await workers.pop()!.stop();

  const twoCampaigns = await prepareCampaigns(service.url, 'two');
  workers.push(...(await Promise.all([0, 1].map(() => startWorker(workerEnv)))));
  const two = await jobsPerMinute(service.url, twoCampaigns);

  console.log(`\nSuggestion batch jobs (${JOBS} jobs of ${BATCH} continuous points, one slot per worker, PostgreSQL)`);
  printTable(['workers', 'seconds', 'jobs/min', 'failed', 'vs one'], [
    ['1', one.seconds.toFixed(1), one.perMinute.toFixed(1), String(one.failed), '1.00'],
    ['2', two.seconds.toFixed(1), two.perMinute.toFixed(1), String(two.failed), (two.perMinute / one.perMinute).toFixed(2)],
  ]);
} finally {
  await Promise.all([...workers.map((w) => w.stop()), service?.stop()]);
  await cluster.stop();
}
