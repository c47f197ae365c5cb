import { describe, expect, it } from 'vitest';
import { createHarness } from './support.js';

describe('unexpected errors', () => {
  it('answers a thrown non-Error (a string, a WebAssembly.Exception) with the JSON error envelope, never an empty 500', async () => {
    const h = createHarness();
    h.app.get('/throws-a-string', () => {
      throw 'not an Error';
    });
    // Not even String() can describe this one.
    h.app.get('/throws-a-bare-object', () => {
      throw Object.create(null);
    });
    for (const path of ['/throws-a-string', '/throws-a-bare-object']) {
      const res = await h.call('GET', path);
      expect(res.status).toBe(500);
      expect((await res.json()).error.code).toBe('internal');
    }
  });
});
