/** The hono application: every sub-app mounted under /api, one error handler, the browser app at /. */
import { OpenAPIHono } from '@hono/zod-openapi';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frontendDist, packageRoot } from './paths.js';
import { campaignAssetRoutes, assetRoutes } from './routes/assets.js';
import { campaignRoutes } from './routes/campaigns.js';
import { healthRoutes } from './routes/health.js';
import { insightRoutes } from './routes/insights.js';
import { campaignEventRoutes } from './routes/campaign-events.js';
import { diagnosticsRoutes } from './routes/diagnostics.js';
import { CampaignEvents } from './services/campaign-events.js';
import { EventStreamSlots } from './services/event-streams.js';
import { labelQueueRoutes } from './routes/label-queue.js';
import { jobRoutes } from './routes/jobs.js';
import { modelRoutes } from './routes/models.js';
import { moleculeRoutes } from './routes/molecules.js';
import { bearerAuth, bodySizeLimit, campaignAccess, errorResponse, type AppEnv } from './routes/http.js';
import { sampleRoutes } from './routes/samples.js';
import { segmentationRoutes } from './routes/segmentation.js';
import { simulatedLabRoutes } from './routes/simulated-lab.js';
import { suggestionRoutes } from './routes/suggestions.js';
import { securityHeaders } from './routes/security-headers.js';
import { apiDocsPage, serveSinglePageApp } from './routes/static-files.js';
import { tokenRoutes, whoamiRoutes } from './routes/tokens.js';
import { volumeAnalysisRoutes } from './routes/volume-analysis.js';
import type { ServiceContext } from './services/context.js';

export const VERSION: string = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** Hooks the server supplies that the routes cannot know by themselves. */
export interface AppOptions {
  /** The tensorflow.js backend in use, for /api/health. */
  tfBackend?: () => string;
  /** Where the browser app's build lives (default frontend/dist). */
  frontendRoot?: string;
}

const PUBLIC_PATHS = [/^\/api\/health$/, /^\/api\/openapi\.json$/, /^\/api\/docs(\/.*)?$/];

/** Builds the whole application over a service context. */
export function createApp(ctx: ServiceContext, options: AppOptions = {}) {
  const events = ctx.events ?? new CampaignEvents();
  const streams = ctx.streams ?? new EventStreamSlots(ctx.config.limits.eventStreams);
  ctx = { ...ctx, events, streams };
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', securityHeaders());
  app.use('*', async function dropHeadBodies(c, next) {
    await next();
    // hono answers HEAD by running the GET handler and discarding its body unread; cancelling it here ends event
    // streams (freeing their slots) and closes image files, which would otherwise stay open forever.
    if (c.req.method === 'HEAD') await c.res.body?.cancel().catch(() => undefined);
  });
  app.use('*', async function wrapNonErrorThrows(c, next) {
    // hono hands only Error instances to onError and lets anything else (a thrown string, RDKit's WebAssembly.Exception)
    // escape as an empty 500; wrapped, it gets the JSON envelope and the log line like any other bug.
    try {
      await next();
    } catch (err) {
      if (err instanceof Error) throw err;
      // String() itself can throw (an object without a prototype); the tag ("[object WebAssembly.Exception]") cannot.
      throw new Error(`non-Error thrown: ${typeof err === 'string' ? err : Object.prototype.toString.call(err)}`, { cause: err });
    }
  });
  app.onError(errorResponse);
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}; see /api/docs` } }, 404)
      : serveSinglePageApp(options.frontendRoot ?? frontendDist)(c),
  );

  const auth = bearerAuth(ctx);
  // The token is checked before any byte of the body is read, so an unauthenticated upload costs nothing.
  app.use('/api/*', async function requireTokenOutsidePublicPaths(c, next) {
    if (PUBLIC_PATHS.some((p) => p.test(c.req.path))) return next();
    return auth(c, next);
  });
  app.use('/api/*', campaignAccess(ctx));
  app.use('/api/*', bodySizeLimit(ctx.config.limits));

  app.route('/api/health', healthRoutes(VERSION, options.tfBackend ?? (() => 'not loaded')));
  app.route('/api/campaigns', campaignRoutes(ctx));
  app.route('/api/campaigns', sampleRoutes(ctx));
  app.route('/api/campaigns', campaignAssetRoutes(ctx));
  app.route('/api/campaigns', suggestionRoutes(ctx));
  app.route('/api/campaigns', simulatedLabRoutes(ctx));
  app.route('/api/campaigns', insightRoutes(ctx));
  app.route('/api/campaigns', labelQueueRoutes(ctx));
  app.route('/api/campaigns', campaignEventRoutes(ctx, events));
  app.route('/api/campaigns', modelRoutes(ctx));
  app.route('/api/campaigns', segmentationRoutes(ctx));
  app.route('/api/campaigns', diagnosticsRoutes(ctx));
  app.route('/api/jobs', jobRoutes(ctx));
  app.route('/api/assets', assetRoutes(ctx));
  app.route('/api/assets', volumeAnalysisRoutes(ctx));
  app.route('/api/molecules', moleculeRoutes());
  app.route('/api/tokens', tokenRoutes(ctx));
  app.route('/api/whoami', whoamiRoutes());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc('/api/openapi.json', {
    openapi: '3.0.0',
    info: { title: 'twinlab', version: VERSION, description: 'Active-learning labeling and experiment design for materials science.' },
    security: [{ bearer: [] }],
  });
  app.get('/api/docs', apiDocsPage);
  app.get('/api/docs/*', apiDocsPage);
  return app;
}

export type App = ReturnType<typeof createApp>;
