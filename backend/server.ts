/** Starts the HTTP service: opens and migrates the database, makes sure an admin can sign in, listens. */
import './engine-features.js';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp, VERSION } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/client.js';
import type { ServiceContext } from './services/context.js';
import { seedDemosOnFirstStart } from './services/demo-campaigns.js';
import { ensureAdminToken } from './services/tokens.js';
import { ComputePool } from './workers/compute-pool.js';
import { startJobRunner } from './services/background-jobs.js';
import { CampaignEvents } from './services/campaign-events.js';
import { startRetrainLoop } from './services/retraining.js';
import { ensureTfBackend } from './trainer/tf-backend.js';

export interface RunningServer {
  url: string;
  ctx: ServiceContext;
  close(): Promise<void>;
}

/** Opens the database under config.dataDir and serves the API and the browser app. */
export async function startServer(config: Config, log: (line: string) => void = (l) => console.log(l)): Promise<RunningServer> {
  const handle: DatabaseHandle = openDatabase(config.databasePath);
  // Engine threads beside the request thread, at most one task per campaign at a time: a long suggestion of one
  // campaign never holds the worker another campaign needs, and the request thread stays free.
  const compute = new ComputePool({ size: config.engine.workers, maxQueued: config.engine.queued, prestart: true });
  const events = new CampaignEvents();
  const ctx: ServiceContext = { db: handle.db, config, compute, events };
  const newAdminToken = ensureAdminToken(ctx);
  if (config.seedDemos) await seedDemosOnFirstStart(ctx, log);
  const tf = await ensureTfBackend();
  const app = createApp(ctx, { tfBackend: () => tf.name });
  const runner = startJobRunner(ctx, { log: (line) => log(`[twinlab] ${line}`) });
  const stopRetraining = startRetrainLoop(ctx, events, config.retrainDelaySeconds * 1000);
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log(`twinlab ${VERSION} listening on ${url} (data in ${config.dataDir})`);
  // The secret is printed only when it was just generated: one from the environment is already known to whoever set
  // it, and logs are read by more people than should hold an admin token.
  if (newAdminToken) {
    log('A new admin token was generated. It is shown only this once; keep it safe.');
    log(`Open this URL to sign in:\n    ${url}/?token=${newAdminToken}`);
  } else if (config.adminToken) log(`Open ${url}/ and sign in with the admin token in TWINLAB_ADMIN_TOKEN.`);
  else log('Sign in with your admin token, or mint one with: npx twinlab token create --name me --role admin');
  return {
    url,
    ctx,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          stopRetraining();
          void Promise.all([compute.close(), runner.stop()]).then(() => {
            handle.close();
            resolve();
          });
        });
        // Event streams never end by themselves; without this an open browser tab would keep the server up.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
