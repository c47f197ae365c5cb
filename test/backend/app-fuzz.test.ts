// A seeded property-based fuzz of the whole API (issue 15): thousands of generated requests over every operation of
// the OpenAPI description — shaped like the schema, valid examples with one leaf replaced by an extreme, and plain
// junk — asserting that none answers 5xx and that every refused request leaves the database exactly as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../backend/domain/types.js';
import { createExampleCampaign, createHarness, fileForm, testImage, type Harness } from './support.js';

/** The slice of OpenAPI 3.0 this fuzz reads. */
interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  additionalProperties?: Schema | boolean;
}
interface Parameter {
  name: string;
  in: 'path' | 'query';
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** One generated request. */
interface FuzzRequest {
  method: string;
  path: string;
  role: Role | null;
  contentType?: string;
  body?: string | FormData;
}

const TOTAL_REQUESTS = 2400;
const SEED = 20261207;

/** Values that break careless code: overflow, underflow, precision, empty, huge, control characters, formulas, paths. */
const EXTREMES: unknown[] = [
  1e308, -1e308, 1.7976931348623157e308, 5e-324, -0, 0, -1, 1.5, 2 ** 53 + 1, 1e15, 1e154, 1000, 1001, 100000,
  '', ' ', 'x'.repeat(5000), '\u0000', '=HYPERLINK("http://x")', '../../../etc/passwd', '1e308', 'NaN', '-1', '🧪',
  null, true, [], {}, [1e308], { a: 1 },
];

const PARAMS = { concentration: 25, evaporation: 10, layers: 2, solvent: 'DMF/THF' };

/** Valid bodies for the write operations, as templates; the fuzz sends them as they are and with one leaf mutated. */
const EXAMPLES: Record<string, unknown> = {
  'POST /api/campaigns': {
    name: 'fuzz', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' }],
  },
  'PATCH /api/campaigns/{id}': { name: 'renamed', description: 'changed', settings: { batchSize: 2 } },
  'POST /api/campaigns/{id}/archive': { reason: 'finished' },
  'POST /api/campaigns/{id}/restore': { reason: 'reopened' },
  'POST /api/campaigns/{id}/samples': [{ params: PARAMS, externalId: 'F-1', features: { f: 1 } }],
  'PATCH /api/campaigns/{id}/samples/{sampleId}': { status: 'running' },
  'DELETE /api/campaigns/{id}/samples/{sampleId}': { reason: 'contaminated' },
  'POST /api/campaigns/{id}/results': [{ params: PARAMS, outcomes: { pore: 30, permeance: 200, order: 0.7 }, idempotencyKey: 'k' }],
  'PATCH /api/campaigns/{id}/results/{resultId}': { outcomes: { pore: 31 }, reason: 'transcription error' },
  'DELETE /api/campaigns/{id}/results/{resultId}': { reason: 'wrong sample' },
  'POST /api/campaigns/{id}/suggestions': { count: 2, strategy: 'expected-improvement', pool: true, seed: 1 },
  'POST /api/campaigns/{id}/train': { kind: 'deep-ensemble', options: { members: 2, epochs: 5, hidden: [4], folds: 2 } },
  'PUT /api/assets/{id}/label': { version: 1, strokes: [{ class: 'pore', width: 3, points: [1, 2, 3, 4] }], points: [{ class: 'solid', x: 2, y: 2 }], polygons: [], class: 'pore', rating: 3 },
  'POST /api/tokens': { name: 'robot', role: 'client', campaigns: [1] },
};

const CSV_BODIES = [
  'concentration,evaporation,layers,solvent\n20,10,2,DMF/THF\n',
  'concentration,evaporation,layers,solvent,pore\n20,10,2,DMF/THF,1e308\n',
  'externalId,pore\nM-1,=cmd|calc\n',
  'a,b\n"unterminated,1\n',
  '\uFEFFconcentration;evaporation\n1,5;3\n',
  'sampleId,pore\n1,30\n1,31\n',
  '',
];

/** Ids that exist in the seeded data, per path parameter, plus ids that do not or are not ids. */
interface KnownIds {
  campaign: number[];
  sample: number[];
  result: number[];
  asset: number[];
  job: number[];
  model: number[];
  token: number[];
}
const NOT_IDS = ['0', '-1', '999999', '9999999999999999', '99999999999999999999', 'abc', '1e3', '0x10', '1.5', '%20', '%00'];

/** Which known ids a path parameter draws from. */
function idsFor(path: string, name: string, ids: KnownIds): number[] {
  if (name === 'sampleId') return ids.sample;
  if (name === 'resultId') return ids.result;
  if (name === 'modelId') return ids.model;
  if (path.startsWith('/api/assets')) return ids.asset;
  if (path.startsWith('/api/jobs')) return ids.job;
  if (path.startsWith('/api/tokens')) return ids.token;
  return ids.campaign;
}

/** Resolves a $ref into the components. */
function deref(schema: Schema, doc: OpenApiDocument): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.split('/').pop()!;
  return deref(doc.components?.schemas?.[name] ?? {}, doc);
}

/** Values shaped like the schema, with extremes mixed into every leaf. */
function fromSchema(raw: Schema, doc: OpenApiDocument, depth = 0): fc.Arbitrary<unknown> {
  const schema = deref(raw, doc);
  const extreme = fc.constantFrom(...EXTREMES);
  if (depth > 4) return extreme;
  const alternatives = schema.anyOf ?? schema.oneOf;
  let shaped: fc.Arbitrary<unknown>;
  if (alternatives) shaped = fc.oneof(...alternatives.map((s) => fromSchema(s, doc, depth + 1)));
  else if (schema.allOf) shaped = fromSchema(schema.allOf[0], doc, depth + 1);
  else if (schema.enum) shaped = fc.constantFrom(...schema.enum);
  else if (schema.type === 'object' || schema.properties) {
    const props = Object.entries(schema.properties ?? {});
    shaped = fc.record(Object.fromEntries(props.map(([k, s]) => [k, fromSchema(s, doc, depth + 1)])), { requiredKeys: [] });
  } else if (schema.type === 'array') shaped = fc.array(fromSchema(schema.items ?? {}, doc, depth + 1), { maxLength: 4 });
  else if (schema.type === 'integer') shaped = fc.oneof(fc.integer({ min: -3, max: 12 }), fc.constantFrom(schema.minimum ?? 0, schema.maximum ?? 1000));
  else if (schema.type === 'number') shaped = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(schema.minimum ?? 0, schema.maximum ?? 1));
  else if (schema.type === 'boolean') shaped = fc.boolean();
  else if (schema.type === 'string') shaped = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('pore', 'permeance', 'x', 'DMF/THF', 'client'));
  else shaped = fc.jsonValue({ maxDepth: 2 });
  return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: extreme });
}

/** Every leaf path of a JSON value. */
function leaves(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.length === 0 ? [at] : value.flatMap((v, i) => leaves(v, [...at, i]));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [at] : entries.flatMap(([k, v]) => leaves(v, [...at, k]));
  }
  return [at];
}

/** A copy of `value` with the leaf at `path` replaced (or the key removed when `replacement` is undefined). */
function replaceLeaf(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy: unknown[] = [...value];
    copy[Number(head)] = replaceLeaf(copy[Number(head)], rest, replacement);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (rest.length === 0 && replacement === undefined) delete copy[head];
  else copy[head] = replaceLeaf(copy[head], rest, replacement);
  return copy;
}

/** A valid example with one leaf mutated to an extreme or dropped. */
function mutated(example: unknown): fc.Arbitrary<unknown> {
  const paths = leaves(example);
  return fc.tuple(fc.constantFrom(...paths), fc.oneof(fc.constantFrom(...EXTREMES), fc.constant(undefined))).map(([p, v]) => replaceLeaf(example, p, v));
}

/** The request generator of one operation. */
function requestsFor(method: string, template: string, op: Operation, doc: OpenApiDocument, ids: KnownIds, png: Uint8Array): fc.Arbitrary<FuzzRequest> {
  const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
  const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
  const path = fc
    .tuple(
      ...pathParams.map((p) => {
        const known = idsFor(template, p.name, ids).map(String);
        const junk = fc.constantFrom(...NOT_IDS);
        return known.length === 0 ? junk : fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: junk });
      }),
    )
    .map((values) => pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, values[i]), template));
  const query = fc
    .tuple(
      ...queryParams.map((p) => {
        const value = fc.oneof(
          { weight: 4, arbitrary: fromSchema(p.schema ?? {}, doc).map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))) },
          { weight: 1, arbitrary: fc.constantFrom(...NOT_IDS) },
        );
        return fc.option(value, { nil: undefined, freq: 2 });
      }),
    )
    .map((values) => {
      const q = new URLSearchParams();
      queryParams.forEach((p, i) => values[i] !== undefined && q.set(p.name, values[i]!));
      const text = q.toString();
      return text ? `?${text}` : '';
    });
  const role = fc.oneof({ weight: 8, arbitrary: fc.constant<Role | null>('admin') }, { weight: 1, arbitrary: fc.constantFrom<Role | null>('expert', 'experimentalist', 'client', null) });
  const content = op.requestBody?.content ?? {};
  type Body = Pick<FuzzRequest, 'contentType' | 'body'>;
  const bodies: fc.WeightedArbitrary<Body>[] = [{ weight: 1, arbitrary: fc.constant({}) }];
  if (content['application/json']) {
    const example = EXAMPLES[`${method} ${template}`];
    const json = (a: fc.Arbitrary<unknown>) => a.map((v): Body => ({ contentType: 'application/json', body: JSON.stringify(v) ?? 'null' }));
    bodies.push({ weight: 2, arbitrary: json(fromSchema(content['application/json'].schema ?? {}, doc)) }, { weight: 1, arbitrary: json(fc.jsonValue({ maxDepth: 3 })) });
    if (example !== undefined) bodies.push({ weight: 3, arbitrary: json(fc.constant(example)) }, { weight: 3, arbitrary: json(mutated(example)) });
    bodies.push({ weight: 1, arbitrary: fc.constantFrom<Body>({ contentType: 'application/json', body: '{"count": 1,' }, { contentType: 'text/plain', body: 'hello' }, { contentType: 'application/json', body: '' }) });
  }
  if (content['text/csv']) bodies.push({ weight: 2, arbitrary: fc.constantFrom(...CSV_BODIES).map((body): Body => ({ contentType: 'text/csv', body })) });
  if (content['multipart/form-data']) {
    bodies.push({
      weight: 4,
      arbitrary: fc.constantFrom('png', 'junk', 'empty', 'two', 'field').map((kind) => {
        if (kind === 'png') return { body: fileForm(png, 'a.png') };
        if (kind === 'junk') return { body: fileForm(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), 'bad.png') };
        if (kind === 'empty') return { body: fileForm(new Uint8Array(0), 'empty.png') };
        if (kind === 'two') {
          const form = fileForm(png, 'a.png');
          form.append('file', new Blob([png]), 'b.png');
          return { body: form };
        }
        return { body: fileForm(png, 'a.png', 'image') };
      }),
    });
  }
  // Reads are sometimes sent as HEAD: the same handler runs, and its unread body must not hold anything open.
  const verb = method === 'GET' ? fc.oneof({ weight: 9, arbitrary: fc.constant('GET') }, { weight: 1, arbitrary: fc.constant('HEAD') }) : fc.constant(method);
  return fc.record({ verb, path, query, role, body: fc.oneof(...bodies) }).map(({ verb: v, path: p, query: q, role: r, body }) => ({ method: v, path: p + q, role: r, ...body }));
}

/** Sends a generated request; streams are read for their first bytes only and then closed. */
async function send(h: Harness, req: FuzzRequest): Promise<Response> {
  const headers: Record<string, string> = {};
  if (req.role) headers.authorization = `Bearer ${h.tokens[req.role]}`;
  if (req.contentType) headers['content-type'] = req.contentType;
  return h.app.request(req.path, { method: req.method, headers, body: req.body });
}

/** Seeds two campaigns with samples, results, an image with a label, a queued job and a model. */
async function seed(h: Harness): Promise<{ ids: KnownIds; png: Uint8Array }> {
  const a = await createExampleCampaign(h);
  const b = (await (await h.call('POST', '/api/campaigns', { body: EXAMPLES['POST /api/campaigns'] })).json()).id as number;
  const rows = Array.from({ length: 8 }, (_, i) => ({ params: { concentration: 18 + i, evaporation: 5 + 6 * i, layers: 1 + (i % 5), solvent: i % 2 ? 'DMF/THF' : 'dioxane/THF' }, externalId: `S-${i}` }));
  const samples = (await (await h.call('POST', `/api/campaigns/${a}/samples`, { body: rows })).json()).items as { id: number }[];
  const results = (await (await h.call('POST', `/api/campaigns/${a}/results`, {
    body: samples.slice(0, 5).map((s, i) => ({ sampleId: s.id, outcomes: { pore: 25 + i, permeance: 100 + 10 * i, order: 0.5 + 0.05 * i } })),
  })).json()).items as { id: number }[];
  await h.call('POST', `/api/campaigns/${b}/results`, { body: [0.1, 0.4, 0.6, 0.9].map((x) => ({ params: { x }, outcomes: { y: x * x } })) });
  // Enough results for a GP on campaign b, so its suggestion records a model that diagnostics can be asked for.
  await h.call('POST', `/api/campaigns/${b}/suggestions`, { body: { count: 1 } });
  const png = await testImage('png', 16, 12);
  const asset = (await (await h.call('POST', `/api/campaigns/${a}/assets`, { body: fileForm(png, 'seed.png') })).json()).id as number;
  await h.call('PUT', `/api/assets/${asset}/label`, { role: 'expert', body: { version: 0, strokes: [{ class: 'pore', width: 3, points: [1, 1, 5, 5] }] } });
  const job = (await (await h.call('POST', `/api/campaigns/${a}/train`, { body: { options: { members: 1, epochs: 2, folds: 2 } } })).json()).id as number;
  await h.call('POST', `/api/campaigns/${a}/suggestions`, { body: { count: 1 } });
  const models: { id: number }[] = [];
  for (const c of [a, b]) models.push(...((await (await h.call('GET', `/api/campaigns/${c}/models`)).json()).items as { id: number }[]));
  const tokens = (await (await h.call('GET', '/api/tokens')).json()).items as { id: number; name: string }[];
  // The fuzz's own admin token is never a target, so a DELETE cannot lock the fuzz out of its own service.
  const others = tokens.filter((t) => t.name !== 'admin-tester').map((t) => t.id);
  return { ids: { campaign: [a, b], sample: samples.map((s) => s.id), result: results.map((r) => r.id), asset: [asset], job: [job], model: models.map((m) => m.id), token: others }, png };
}

/** Each table's rows as JSON (token last-used times move on reads by design, so they are left out). */
async function tableSnapshots(h: Harness): Promise<Map<string, string>> {
  const snapshots = new Map<string, string>();
  for (const name of await h.tables()) {
    // Sorted as text: the same rows compare equal whatever order the engine returns them in.
    const rows = (await h.sql(`SELECT * FROM "${name}"`)).map((row) => JSON.stringify(row).replace(/"last_used_at":(\d+|null)/g, ''));
    snapshots.set(name, JSON.stringify(rows.sort()));
  }
  return snapshots;
}

/** The tables whose rows differ between two snapshots. */
function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((t) => before.get(t) !== after.get(t));
}

describe('API fuzz (issue 15)', () => {
  it(`answers ${TOTAL_REQUESTS} generated requests over every operation without a 5xx, and every refusal writes nothing`, async () => {
    const h = createHarness();
    const { ids, png } = await seed(h);
    const doc = (await (await h.app.request('/api/openapi.json')).json()) as OpenApiDocument;
    // Destructive operations (retractions, archiving, revoking, cancelling) go last, so the others meet live data.
    const destructive = (method: string, template: string) => method === 'DELETE' || /\/(archive|restore|cancel)$/.test(template);
    const operations = Object.entries(doc.paths)
      .flatMap(([template, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), template, op })))
      .sort((a, b) => Number(destructive(a.method, a.template)) - Number(destructive(b.method, b.template)));
    expect(operations.length).toBeGreaterThan(30);
    const perOperation = Math.ceil(TOTAL_REQUESTS / operations.length);
    const statuses = new Map<number, number>();
    const perOp = new Map<string, Record<number, number>>();
    let sent = 0;
    for (const [i, { method, template, op }] of operations.entries()) {
      await fc.assert(
        fc.asyncProperty(requestsFor(method, template, op, doc, ids, png), async (req) => {
          const before = await tableSnapshots(h);
          const res = await send(h, req);
          sent++;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const tally = perOp.get(`${method} ${template}`) ?? {};
          tally[res.status] = (tally[res.status] ?? 0) + 1;
          perOp.set(`${method} ${template}`, tally);
          if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel();
          else await res.arrayBuffer();
          expect(res.status, `${req.method} ${req.path} answered ${res.status}`).toBeLessThan(500);
          if (res.status >= 400) expect(changedTables(before, await tableSnapshots(h)), `${req.method} ${req.path} was refused with ${res.status} but wrote`).toEqual([]);
        }),
        { numRuns: perOperation, seed: SEED + i, endOnFailure: true },
      );
    }
    // FUZZ_REPORT=1 prints the statuses each operation answered, to see how deep the fuzz reaches.
    if (process.env.FUZZ_REPORT) console.log(JSON.stringify([...perOp]));
    expect(sent).toBeGreaterThanOrEqual(2000);
    // The fuzz reached past validation: it saw successes, refusals of several kinds, and no server errors.
    const seen = [...statuses.keys()];
    expect(seen.some((s) => s >= 200 && s < 300)).toBe(true);
    expect(seen.filter((s) => s >= 400 && s < 500).length).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
