// Issue 14: what a scientist reads names no API paths. The page's own texts, and the refusals of the service that
// the page shows as they come, say what to do in the app's words (the API reference keeps the paths).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

function filesUnder(directory: string, extension: string): string[] {
  return readdirSync(join(root, directory), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(extension))
    .map((name) => join(root, directory, name));
}

describe('texts a scientist reads', () => {
  it('in the browser app never mention an API path', () => {
    // Not '../api/': a module import of the page's own client.
    const offenders = filesUnder('frontend/src', '.svelte').filter((file) => /(?<!\.\.)\/api\//.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });

  it('in the service\'s refusals never mention an API path', () => {
    const refusal = /new \w+Error\((?:[^;]|;(?!\s*$))*?\/api\//m;
    const offenders = filesUnder('backend/services', '.ts')
      .map((file) => relative(root, file))
      .filter((file) => refusal.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
