/** Starts the HTTP service: opens and migrates the database, makes sure an admin can sign in, listens. */
import './engine-features.js';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp, VERSION } from './app.js';
import type { Config } from './config.js';
import { describeStore, openStore } from './db/open.js';
import { createFileStore } from './files/file-store.js';
import { createJobQueue } from './jobs/open-queue.js';
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

/** Opens the configured store (PostgreSQL at DATABASE_URL, else SQLite under config.dataDir) and serves the API and the browser app. */
export async function startServer(config: Config, log: (line: string) => void = (l) => console.log(l)): Promise<RunningServer> {
  const store = await openStore(config);
  // Engine threads beside the request thread, at most one task per campaign at a time: a long suggestion of one
  // campaign never holds the worker another campaign needs, and the request thread stays free.
  const compute = new ComputePool({ size: config.engine.workers, maxQueued: config.engine.queued, prestart: true });
  // On PostgreSQL, events also travel to and from the other replicas on the database (LISTEN/NOTIFY).
  const events = new CampaignEvents(store.broadcast, (line) => log(line));
  await events.start();
  const jobs = createJobQueue(store, config);
  // On PostgreSQL the database holds the shared copy of the data directory's files (workers on other machines read and write it).
  const files = createFileStore(store, config);
  const ctx: ServiceContext = { db: store, config, jobs, files, compute, events };
  // Replicas starting at once on one PostgreSQL database take turns here: one writes the admin token and the demos, the
  // next finds them (demo seeding resumes by campaign name, so it adds nothing twice).
  const newAdminToken = await store.exclusive({ scope: 'startup', id: 0 }, async () => {
    const minted = await ensureAdminToken(ctx);
    if (config.seedDemos) await seedDemosOnFirstStart(ctx, log);
    return minted;
  });
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
  log(`twinlab ${VERSION} listening on ${url} (database ${describeStore(config)}, files in ${config.dataDir})`);
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
          // The store closes last: the runner's last updates and the compute tasks' answers still write to it; the
          // queue (pg-boss on PostgreSQL) closes once the runner has stopped, the file store after it.
          void Promise.all([compute.close(), runner.stop().then(() => jobs.close()).then(() => files.close()), events.stop()])
            .then(() => store.close())
            .catch((error: unknown) => log(`closing the database failed: ${(error as Error).message}`))
            .finally(resolve);
        });
        // Event streams never end by themselves; without this an open browser tab would keep the server up.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
