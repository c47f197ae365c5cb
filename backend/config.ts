/** Service configuration from the environment, with the defaults of DESIGN.md. */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_EVENT_STREAM_LIMITS, type EventStreamLimits } from './services/event-streams.js';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databasePath: string;
  /**
   * A PostgreSQL connection string (DATABASE_URL, postgres:// or postgresql://): the service then runs on that database
   * instead of the SQLite file at databasePath. Null (unset) keeps the embedded SQLite default.
   */
  databaseUrl: string | null;
  assetsDir: string;
  adminToken: string | undefined;
  /** Seed the demo campaigns at the first start of a data directory (TWINLAB_DEMO=0 turns it off). */
  seedDemos: boolean;
  /** Seconds to wait after the last new result before retraining the surrogate (TWINLAB_RETRAIN_DELAY_SECONDS). */
  retrainDelaySeconds: number;
  /**
   * Seconds after a label save before the segmentation focused on that image starts (TWINLAB_SEGMENTATION_DELAY_SECONDS,
   * default 0.25): the labeling page already autosaves only after 0.8 s without an edit, so a burst of strokes arrives as
   * one save and the next save comes ≥ 0.8 s later, which no wait below that could fold anyway; saves during a running
   * job fold into its one waiting successor. The wait only absorbs clients that save in quick bursts (several PUTs sent
   * at once, milliseconds apart), so a quarter second is ample, and every tenth of a second here is a tenth of a second
   * of the save → overlay loop.
   */
  segmentationDelaySeconds: number;
  /** Bytes of cached image features and training pixels kept under <dataDir>/cache (TWINLAB_FEATURE_CACHE_BYTES, default 4 GiB). */
  featureCacheBytes: number;
  /**
   * Background jobs (training, segmentation) run at once (TWINLAB_JOB_SLOTS; default half the cores, at least 1). 0 on
   * `serve` leaves every job to `twinlab worker` processes on the same database; a worker needs at least 1.
   */
  jobSlots: number;
  /**
   * Seconds a running job's claim lasts without a heartbeat (TWINLAB_JOB_LEASE_SECONDS, default 30): how long a job of a
   * crashed process waits before another runner takes it over. Heartbeats come every third of it; tests shorten it.
   */
  jobLeaseSeconds: number;
  /** The job kinds a `twinlab worker` runs (TWINLAB_WORKER_KINDS, comma-separated; null when unset: every kind). */
  workerKinds: string[] | null;
  /** The suggestion engine's threads, queue and per-request budget. */
  engine: EngineLimits;
  limits: Limits;
}

/** Sizing and budgets of the suggestion engine (see backend/workers/compute-pool.ts). */
export interface EngineLimits {
  /** Engine worker threads (TWINLAB_ENGINE_WORKERS; default half the cores, at least 2 and at most 8). */
  workers: number;
  /** Engine tasks that may wait for a worker before a 503 engine_busy (TWINLAB_ENGINE_QUEUE). */
  queued: number;
  /** Suggestion requests of one campaign that may wait for the one before them before a 503 engine_busy. */
  waitingPerCampaign: number;
  /** Seconds a suggestion request may take, waiting included, before a 503 (TWINLAB_SUGGEST_TIMEOUT_SECONDS). */
  suggestTimeoutSeconds: number;
  /**
   * Largest continuous-mode (pool: false) batch answered in the request (TWINLAB_SUGGEST_SYNC_MAX_COUNT); a larger
   * one becomes a background job (202). Each batch item refits the believed model, so time grows faster than the count.
   */
  syncMaxCount: number;
}

/** Request-size caps, in bytes or items. */
export interface Limits {
  jsonBytes: number;
  csvBytes: number;
  imageBytes: number;
  itemsPerRequest: number;
  /** Largest image accepted, in pixels: bounds per-pixel work (decoding, segmentation); imageDecodedBytes bounds memory. */
  imagePixels: number;
  /**
   * Largest decoded image accepted, width × height × channels × bytes per sample, read from the header before any
   * pixel is decoded (TWINLAB_IMAGE_DECODED_BYTES): a small PNG can inflate to far more than its pixel count suggests.
   */
  imageDecodedBytes: number;
  /** Largest uploaded volume file (a multi-page TIFF stack) and largest set of slice images sent at once, in bytes. */
  volumeBytes: number;
  /** Most pages (slices) of a volume. */
  volumePages: number;
  /** Most voxels of a volume, width × height × pages (each page is also held to imagePixels and imageDecodedBytes). */
  volumeVoxels: number;
  /** Largest decoded volume, voxels × bytes per grey sample, checked from the header before any page is decoded. */
  volumeDecodedBytes: number;
  /** Images decoded at once, and uploads that may wait for a turn before a 503 (TWINLAB_IMAGE_DECODES, TWINLAB_IMAGE_DECODE_QUEUE). */
  imageDecodes: { concurrent: number; queued: number };
  /** Open server-sent event streams per token and in all, and when an idle one is closed. */
  eventStreams: EventStreamLimits;
}

export const DEFAULT_LIMITS: Limits = {
  jsonBytes: 5 * 1024 * 1024,
  csvBytes: 20 * 1024 * 1024,
  imageBytes: 64 * 1024 * 1024,
  itemsPerRequest: 20_000,
  imagePixels: 64 * 1024 * 1024,
  // An 8192² 16-bit grey SEM/FIB frame (the largest routine micrograph) is exactly 128 MiB decoded.
  imageDecodedBytes: 128 * 1024 * 1024,
  // A volume is analysed whole (3-D measurements, resampling to even spacing hold it as floats: 4 bytes a voxel), so
  // 512 Mi voxels (e.g. 1024×1024×512, or a 512×512×200 16-bit FIB-SEM stack ten times over) keeps one volume's
  // analysis near 3 GiB on a 2-core, 24 GB machine; 1 GiB decoded is those voxels at 16 bits.
  volumeBytes: 2 * 1024 ** 3,
  volumePages: 4096,
  volumeVoxels: 512 * 1024 * 1024,
  volumeDecodedBytes: 1024 ** 3,
  // Two decodes bound decoding memory to 256 MiB; eight waiting uploads cover a lab robot's burst without a queue that grows.
  imageDecodes: { concurrent: 2, queued: 8 },
  eventStreams: DEFAULT_EVENT_STREAM_LIMITS,
};

/** Reads HOST, PORT, TWINLAB_DATA, DATABASE_URL, TWINLAB_ADMIN_TOKEN, TWINLAB_DEMO and the TWINLAB_* limits. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 8080 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer 0..65535, got ${env.PORT}`);
  const dataDir = resolve(env.TWINLAB_DATA || './data');
  return {
    host: env.HOST || '127.0.0.1',
    port,
    dataDir,
    databasePath: join(dataDir, 'twinlab.sqlite'),
    databaseUrl: databaseUrl(env.DATABASE_URL),
    assetsDir: join(dataDir, 'assets'),
    adminToken: env.TWINLAB_ADMIN_TOKEN || undefined,
    seedDemos: env.TWINLAB_DEMO !== '0',
    retrainDelaySeconds: seconds(env.TWINLAB_RETRAIN_DELAY_SECONDS, 30),
    segmentationDelaySeconds: seconds(env.TWINLAB_SEGMENTATION_DELAY_SECONDS, 0.25),
    featureCacheBytes: wholeNumber(env.TWINLAB_FEATURE_CACHE_BYTES, 4 * 1024 ** 3, 0),
    jobSlots: jobSlots(env.TWINLAB_JOB_SLOTS),
    jobLeaseSeconds: positiveSeconds(env.TWINLAB_JOB_LEASE_SECONDS, 30, 'TWINLAB_JOB_LEASE_SECONDS'),
    workerKinds: workerKinds(env.TWINLAB_WORKER_KINDS),
    engine: engineLimits(env),
    limits: { ...DEFAULT_LIMITS, ...imageDecodeLimits(env) },
  };
}

/** The image decoding limits, from TWINLAB_IMAGE_DECODED_BYTES, TWINLAB_IMAGE_DECODES and TWINLAB_IMAGE_DECODE_QUEUE. */
function imageDecodeLimits(env: NodeJS.ProcessEnv): Pick<Limits, 'imageDecodedBytes' | 'imageDecodes'> {
  return {
    imageDecodedBytes: wholeNumber(env.TWINLAB_IMAGE_DECODED_BYTES, DEFAULT_LIMITS.imageDecodedBytes, 1),
    imageDecodes: {
      concurrent: wholeNumber(env.TWINLAB_IMAGE_DECODES, DEFAULT_LIMITS.imageDecodes.concurrent, 1),
      queued: wholeNumber(env.TWINLAB_IMAGE_DECODE_QUEUE, DEFAULT_LIMITS.imageDecodes.queued, 0),
    },
  };
}

/**
 * The engine limits from the environment. Workers: half the cores, so requests and jobs keep the rest, but at least
 * two, so one long suggestion never holds the only one, and at most eight (each engine thread also runs its own
 * posterior helpers for large pools). Sync batches: 50 continuous points took 0.4 s (one parameter, 5 results) to
 * 1.7 s (four parameters, 30 results) on one core; 1,000 took 122 s, so larger batches run as jobs.
 */
function engineLimits(env: NodeJS.ProcessEnv): EngineLimits {
  return {
    workers: wholeNumber(env.TWINLAB_ENGINE_WORKERS, Math.min(8, Math.max(2, Math.ceil(availableParallelism() / 2))), 1),
    queued: wholeNumber(env.TWINLAB_ENGINE_QUEUE, 64, 0),
    waitingPerCampaign: 16,
    suggestTimeoutSeconds: seconds(env.TWINLAB_SUGGEST_TIMEOUT_SECONDS, 60),
    syncMaxCount: wholeNumber(env.TWINLAB_SUGGEST_SYNC_MAX_COUNT, 50, 1),
  };
}

/** DATABASE_URL when set: only PostgreSQL URLs are accepted, so a typo never silently falls back to SQLite. */
function databaseUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new Error('DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database); leave it unset for the embedded SQLite database');
  return raw;
}

/** An integer setting of at least `min`, or the fallback when unset. */
function wholeNumber(raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`expected an integer ≥ ${min}, got ${raw}`);
  return n;
}

function seconds(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`expected a number of seconds ≥ 0, got ${raw}`);
  return n;
}

/**
 * TWINLAB_JOB_SLOTS, or half the cores (each job's tensorflow.js work keeps about one core busy; the rest serve
 * requests). 0 is allowed here (a service leaving jobs to workers); `twinlab worker` refuses it at start.
 */
function jobSlots(raw: string | undefined): number {
  if (raw === undefined || raw === '') return Math.max(1, Math.floor(availableParallelism() / 2));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 256) throw new Error(`TWINLAB_JOB_SLOTS must be an integer 0..256, got ${raw}`);
  return n;
}

/** A number of seconds above zero (a lease of 0 would expire at once), or the fallback when unset. */
function positiveSeconds(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a number of seconds > 0, got ${raw}`);
  return n;
}

/** TWINLAB_WORKER_KINDS as a list (checked against the known kinds when a worker starts), or null when unset. */
function workerKinds(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  return [...new Set(raw.split(',').map((kind) => kind.trim()).filter(Boolean))];
}
