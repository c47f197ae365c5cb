/** Service configuration from the environment, with the defaults of DESIGN.md. */
import { join, resolve } from 'node:path';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databasePath: string;
  assetsDir: string;
  adminToken: string | undefined;
  /** Seed the demo campaigns at the first start of a data directory (TWINLAB_DEMO=0 turns it off). */
  seedDemos: boolean;
  /** Seconds to wait after the last new result before retraining the surrogate (TWINLAB_RETRAIN_DELAY_SECONDS). */
  retrainDelaySeconds: number;
  limits: Limits;
}

/** Request-size caps, in bytes or items. */
export interface Limits {
  jsonBytes: number;
  csvBytes: number;
  imageBytes: number;
  itemsPerRequest: number;
  /** Largest image accepted, in pixels: decoding is checked in full, so this bounds memory per upload. */
  imagePixels: number;
}

export const DEFAULT_LIMITS: Limits = {
  jsonBytes: 5 * 1024 * 1024,
  csvBytes: 20 * 1024 * 1024,
  imageBytes: 64 * 1024 * 1024,
  itemsPerRequest: 20_000,
  imagePixels: 64 * 1024 * 1024,
};

/** Reads HOST, PORT, TWINLAB_DATA, TWINLAB_ADMIN_TOKEN and TWINLAB_DEMO. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 8080 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer 0..65535, got ${env.PORT}`);
  const dataDir = resolve(env.TWINLAB_DATA || './data');
  return {
    host: env.HOST || '127.0.0.1',
    port,
    dataDir,
    databasePath: join(dataDir, 'twinlab.sqlite'),
    assetsDir: join(dataDir, 'assets'),
    adminToken: env.TWINLAB_ADMIN_TOKEN || undefined,
    seedDemos: env.TWINLAB_DEMO !== '0',
    retrainDelaySeconds: seconds(env.TWINLAB_RETRAIN_DELAY_SECONDS, 30),
    limits: DEFAULT_LIMITS,
  };
}

function seconds(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`expected a number of seconds ≥ 0, got ${raw}`);
  return n;
}
