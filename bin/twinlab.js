#!/usr/bin/env node
// `npx twinlab ...`: same as `npm start -- ...`.
await import('../scripts/start.mjs');
