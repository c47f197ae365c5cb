/** The twinlab command line: serve, worker, import, export, token. */
import './engine-features.js';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { VERSION } from './app.js';
import { loadConfig } from './config.js';
import { openStore } from './db/open.js';
import { createFileStore } from './files/file-store.js';
import { createJobQueue } from './jobs/open-queue.js';
import { DomainError } from './domain/errors.js';
import { ROLES, type Role } from './domain/types.js';
import type { ServiceContext } from './services/context.js';
import { exportCampaignCsv, recordResultsCsv } from './services/results.js';
import { importSamplesCsv } from './services/samples.js';
import { createToken } from './services/tokens.js';
import { seedDemoCampaigns } from './services/demo-campaigns.js';
import { simulate, SIMULATION_NAMES, type SimulationName } from './simulate/index.js';
import { MEMBRANE_IMAGE_MODES, type MembraneImageMode } from './simulate/membrane-images.js';
import { startServer } from './server.js';
import { startWorker } from './worker.js';

const USAGE = `twinlab ${VERSION} — active-learning labeling and experiment design

Usage: twinlab <command> [options]      (or: npm start -- <command> [options])

Commands:
  serve                                   run the HTTP service and the browser app
  worker                                  run background jobs (training, segmentation, large suggestion batches)
                                          from the database, without HTTP; any number of workers and services
                                          may share one database
  import --campaign ID (--samples FILE.csv | --results FILE.csv)
                                          import a CSV into a campaign, directly into the database
  export --campaign ID [--out FILE.csv]   write the campaign (samples joined with results) as CSV
  token create --name NAME --role ROLE    mint an API token (roles: ${ROLES.join(', ')})
  demo                                    add the five demo campaigns (membrane lab, Mg corrosion, micrographs,
                                          membrane casting from SEM images, FIB-SEM stack of nanoporous gold)
  simulate --lab membrane|corrosion|branin [--strategy S[,S...]] [--seeds 5] [--budget 40] [--batch 1]
           [--url URL --token TOKEN]      run whole campaigns against a simulated lab through the HTTP API and
                                          compare with random selection (own server unless --url)
  simulate --lab micrograph [--seeds 5] [--budget 8] [--images 12]
                                          a simulated expert scribbles on images in label-queue order vs. random
                                          order; prints segmentation IoU vs. number of labeled images
  simulate --lab membrane-images [--seeds 5] [--label-budget 3] [--image-order queue,random] [--oracle]
           [--initial 11] [--rounds 4] [--batch 2] [--size 384] [--json]
                                          the images → outcomes loop: cast, upload the SEM image, a simulated expert
                                          scribbles on at most B images (label queue or random order), segment,
                                          derived results, next suggestion; --oracle posts the true values instead.
                                          Prints derived-value errors and castings to the 30 ± 3 nm band
  simulate --lab fib-sem [--seeds 3] [--size 128] [--slices 24] [--labeled-slices 3] [--shine-through 1] [--json]
                                          a synthetic FIB-SEM stack (exact cut-plane truth) is uploaded as a volume, a
                                          simulated expert scribbles on a few slices; prints the cut-plane IoU (solid)
                                          of the segmentation over all slices, labeled vs unlabeled, and per slice

Environment: HOST (127.0.0.1), PORT (8080), TWINLAB_DATA (./data), TWINLAB_ADMIN_TOKEN (generated at first start),
             TWINLAB_DEMO (1: seed demo campaigns at the first start; 0: don't),
             DATABASE_URL (postgres://user:password@host:5432/db: run on PostgreSQL; unset: SQLite in TWINLAB_DATA)
             TWINLAB_JOB_SLOTS (jobs at once; half the cores; 0 on serve: leave jobs to workers),
             TWINLAB_WORKER_KINDS (worker: comma-separated job kinds to run; unset: all)
Options: -h, --help   show this help`;

/** Runs one CLI invocation; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      campaign: { type: 'string' },
      samples: { type: 'string' },
      results: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      lab: { type: 'string' },
      strategy: { type: 'string' },
      seeds: { type: 'string' },
      budget: { type: 'string' },
      batch: { type: 'string' },
      images: { type: 'string' },
      'label-budget': { type: 'string' },
      'image-order': { type: 'string' },
      oracle: { type: 'boolean' },
      initial: { type: 'string' },
      rounds: { type: 'string' },
      size: { type: 'string' },
      slices: { type: 'string' },
      'labeled-slices': { type: 'string' },
      'shine-through': { type: 'string' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig();
  if (command === 'simulate') {
    const lab = (values.lab ?? 'membrane') as SimulationName;
    if (!SIMULATION_NAMES.includes(lab)) return usageError(`--lab must be one of ${SIMULATION_NAMES.join(', ')}`);
    const count = (raw: string | undefined, fallback: number, name: string) => {
      const n = raw === undefined ? fallback : Number(raw);
      if (!Number.isInteger(n) || n < 1) throw new DomainError('usage', `--${name} needs a positive integer`);
      return n;
    };
    const imageOrders = membraneImageModes(values['image-order'], values.oracle === true);
    if (typeof imageOrders === 'string') return usageError(imageOrders);
    const optional = (raw: string | undefined, name: string, min = 1) => {
      if (raw === undefined) return undefined;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min) throw new DomainError('usage', `--${name} needs an integer ≥ ${min}`);
      return n;
    };
    const membraneImages = Object.fromEntries(Object.entries({
      labelBudget: optional(values['label-budget'], 'label-budget', 0),
      initial: optional(values.initial, 'initial'),
      rounds: optional(values.rounds, 'rounds', 0),
      size: optional(lab === 'membrane-images' ? values.size : undefined, 'size', 64),
    }).filter(([, v]) => v !== undefined));
    const shineThrough = values['shine-through'] === undefined ? undefined : Number(values['shine-through']);
    if (shineThrough !== undefined && !(shineThrough >= 0 && shineThrough <= 10)) return usageError('--shine-through needs a number from 0 to 10');
    const fibSem = Object.fromEntries(Object.entries({
      size: optional(lab === 'fib-sem' ? values.size : undefined, 'size', 16),
      slices: optional(values.slices, 'slices', 2),
      labeledSlices: optional(values['labeled-slices'], 'labeled-slices'),
      shineThrough,
    }).filter(([, v]) => v !== undefined));
    const { report, summaries, options } = await simulate(
      {
        lab,
        strategies: (values.strategy ?? 'default').split(',').map((s) => s.trim()).filter(Boolean),
        seeds: count(values.seeds, lab === 'fib-sem' ? 3 : 5, 'seeds'),
        budget: values.budget === undefined ? undefined : count(values.budget, 1, 'budget'),
        batch: count(values.batch, lab === 'membrane-images' ? 2 : 1, 'batch'),
        images: count(values.images, 12, 'images'),
        imageOrders,
        membraneImages,
        fibSem,
        url: values.url,
        token: values.token,
      },
      (line) => console.error(line),
    );
    if (values.json) console.log(JSON.stringify({ lab, options: options && { ...options, onProgress: undefined }, runs: summaries }, null, 2));
    else console.log(report);
    return 0;
  }
  if (command === 'serve') {
    const server = await startServer(config);
    const stop = () => void server.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return new Promise<number>(() => {});
  }
  if (command === 'worker') {
    let worker: Awaited<ReturnType<typeof startWorker>>;
    try {
      worker = await startWorker(config);
    } catch (error) {
      // A wrong setting (0 slots, an unknown kind) is the operator's to fix: said plainly, not as a stack trace.
      console.error(`twinlab worker: ${(error as Error).message}`);
      return 1;
    }
    const stop = () => void worker.stop().then(() => process.exit(0), (error: unknown) => {
      console.error(`twinlab worker: stopping failed: ${(error as Error).message}`);
      process.exit(1);
    });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return new Promise<number>(() => {});
  }
  const store = await openStore(config);
  const jobs = createJobQueue(store, config);
  const files = createFileStore(store, config);
  const ctx: ServiceContext = { db: store, config, jobs, files };
  try {
    if (command === 'import') {
      const id = campaignId(values.campaign);
      if (values.samples) report((await importSamplesCsv(ctx, id, readFileSync(values.samples, 'utf8'))).inserted, 'samples');
      else if (values.results) report((await recordResultsCsv(ctx, id, readFileSync(values.results, 'utf8'), 'cli')).inserted, 'results');
      else return usageError('import needs --samples FILE.csv or --results FILE.csv');
      return 0;
    }
    if (command === 'export') {
      const csv = await exportCampaignCsv(ctx, campaignId(values.campaign));
      if (values.out) writeFileSync(values.out, csv);
      else process.stdout.write(csv);
      return 0;
    }
    if (command === 'demo') {
      for (const c of await seedDemoCampaigns(ctx)) console.log(`created demo campaign #${c.id}: ${c.name}`);
      return 0;
    }
    if (command === 'token' && sub === 'create') {
      const role = values.role as Role;
      if (!values.name || !ROLES.includes(role)) return usageError(`token create needs --name and --role (${ROLES.join(', ')})`);
      const t = await createToken(ctx, values.name, role);
      console.log(`token ${t.id} (${t.role}): ${t.token}`);
      return 0;
    }
    return usageError(`unknown command "${[command, sub].filter(Boolean).join(' ')}"`);
  } catch (err) {
    if (err instanceof DomainError) {
      console.error(`error (${err.code}): ${err.message}`);
      if (err.details !== undefined) console.error(JSON.stringify(err.details, null, 2));
      return 1;
    }
    throw err;
  } finally {
    await jobs.close();
    await files.close();
    await store.close();
  }
}

/** The membrane-images loops to run: --oracle alone runs the oracle; --image-order lists queue/random (plus the oracle with --oracle); default all three. */
function membraneImageModes(raw: string | undefined, oracle: boolean): MembraneImageMode[] | undefined | string {
  if (raw === undefined) return oracle ? ['oracle'] : undefined;
  const modes = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = modes.find((m) => !(MEMBRANE_IMAGE_MODES as readonly string[]).includes(m));
  if (unknown !== undefined || modes.length === 0) return `--image-order takes ${MEMBRANE_IMAGE_MODES.join(', ')} (comma-separated), got "${raw}"`;
  return [...new Set([...(modes as MembraneImageMode[]), ...(oracle ? (['oracle'] as const) : [])])];
}

function campaignId(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) throw new DomainError('usage', '--campaign needs a campaign id (a positive integer)');
  return id;
}

function report(n: number, what: string): void {
  console.log(`imported ${n} ${what}`);
}

function usageError(message: string): number {
  console.error(`${message}\n\n${USAGE}`);
  return 2;
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
