/**
 * Memory of a real twinlab server under hostile uploads (issue 15, findings 3 and 4): the server's resident set size
 * (VmRSS from /proc, sampled every 10 ms) before, at its peak during, and a second after each attack of 4 concurrent
 * requests: unauthenticated 60 MB chunked multipart POSTs; authenticated ones (streamed to disk, then refused as not an
 * image); PNG bombs that decode to 8000×8000 16-bit RGBA (512 MB); and 8192² 16-bit grey PNGs that just fit the
 * decoded-size cap (decoded two at a time). Linux only (reads /proc).
 *
 * BENCH_SERVER_ROOT runs the server from another checkout (e.g. an older commit exported with `git archive`, with a
 * node_modules link) to compare; BENCH_SKIP_FIT=1 leaves out the slow last attack.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { startBenchServer } from './serve.js';

const root = resolve(process.env.BENCH_SERVER_ROOT ?? join(import.meta.dirname, '..'));
const CONCURRENT = 4;
const BODY_BYTES = 60 * 1000 * 1000;
const BOUNDARY = 'twinlab-bench-boundary';

/** The server's resident set size in MB, from /proc. */
function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

/** Starts `twinlab serve` with an empty data directory; resolves with its URL once it listens. */
function startServer(dataDir: string, token: string): Promise<{ child: ChildProcess; url: string }> {
  return startBenchServer(root, { TWINLAB_DATA: dataDir, TWINLAB_ADMIN_TOKEN: token });
}

/**
 * POSTs a chunked multipart body (`head`, then `fill` bytes, then `tail`) without a content length, stopping as soon
 * as the server answers; resolves with the status and the bytes written.
 */
function postChunked(url: string, headers: Record<string, string>, head: Uint8Array, fill: number, tail: Uint8Array): Promise<{ status: number; sent: number }> {
  return new Promise((done) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
    let status = 0;
    let sent = 0;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      req.destroy();
      done({ status, sent });
    };
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      res.resume();
      res.on('end', settle);
    });
    // The server may close the connection once it has answered; the answer is what counts.
    req.on('error', () => setTimeout(settle, 50));
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    void (async () => {
      req.write(head);
      while (sent < fill && status === 0 && !req.destroyed) {
        const part = sent + chunk.byteLength <= fill ? chunk : chunk.subarray(0, fill - sent);
        sent += part.byteLength;
        if (!req.write(part)) await writable(req);
      }
      if (status === 0 && !req.destroyed) req.end(tail);
    })();
  });
}

/** Resolves when the request can take more data, or is closed. */
function writable(req: ReturnType<typeof request>): Promise<void> {
  return new Promise((ok) => {
    const go = () => {
      req.off('drain', go);
      req.off('close', go);
      ok();
    };
    req.on('drain', go);
    req.on('close', go);
  });
}

/** Runs an attack while sampling the server's RSS; prints before, peak, after (1 s later) and the answers. */
async function measure(pid: number, label: string, attack: () => Promise<{ status: number; sent?: number }[]>): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000));
  const before = rssMb(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 10);
  const t0 = performance.now();
  const results = await attack();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 1000));
  const after = rssMb(pid);
  const statuses = Object.entries(results.reduce<Record<number, number>>((n, r) => ((n[r.status] = (n[r.status] ?? 0) + 1), n), {}))
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  const sent = results.every((r) => r.sent !== undefined) ? ` | client sent ${(results.reduce((s, r) => s + (r.sent ?? 0), 0) / CONCURRENT / 1e6).toFixed(1)} MB/request` : '';
  console.log(`${label.padEnd(58)} RSS ${before.toFixed(0).padStart(5)} → peak ${peak.toFixed(0).padStart(5)} (+${(peak - before).toFixed(0)}) → after ${after.toFixed(0).padStart(5)} MB | ${statuses} | ${seconds.toFixed(1)} s${sent}`);
}

/** A multipart body with one file in the field "file", as bytes. */
function multipart(bytes: Uint8Array, filename: string): Buffer {
  return Buffer.concat([formHead(filename), bytes, formTail()]);
}
function formHead(filename: string): Buffer {
  return Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
}
function formTail(): Buffer {
  return Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

/** Uploads a whole image (with a content length) and resolves with the status. */
async function uploadWhole(url: string, token: string, body: Buffer): Promise<{ status: number }> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body });
  await res.arrayBuffer();
  return { status: res.status };
}

const bomb = await sharp({ create: { width: 8000, height: 8000, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 1 } } }).toColourspace('rgb16').png({ compressionLevel: 9 }).toBuffer();
const fits =
  process.env.BENCH_SKIP_FIT === '1'
    ? undefined
    : await Promise.all(
        [1, 2, 3, 4].map((i) => sharp({ create: { width: 8192, height: 8192, channels: 3, background: { r: 10 * i, g: 10 * i, b: 10 * i } } }).toColourspace('grey16').png({ compressionLevel: 9 }).toBuffer()),
      );

const dataDir = mkdtempSync(join(tmpdir(), 'twinlab-bench-'));
const token = randomBytes(24).toString('hex');
const { child, url } = await startServer(dataDir, token);
try {
  const pid = child.pid!;
  const auth = { authorization: `Bearer ${token}` };
  const created = await fetch(`${url}/api/campaigns`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'upload bench', parameters: [{ name: 'x', type: 'continuous', min: 0, max: 1 }], objectives: [{ name: 'y', goal: 'maximize' }] }),
  });
  if (created.status !== 201) throw new Error(`campaign creation failed: ${created.status} ${await created.text()}`);
  const assets = `${url}/api/campaigns/${((await created.json()) as { id: number }).id}/assets`;
  console.log(`server from ${root}, pid ${pid}; bomb PNG ${(bomb.byteLength / 1e3).toFixed(0)} KB, 8192² grey16 PNGs ${fits ? `${(fits[0].byteLength / 1e3).toFixed(0)} KB` : 'skipped'}`);

  const fourTimes = <T>(f: () => Promise<T>) => Promise.all(Array.from({ length: CONCURRENT }, f));
  await measure(pid, '4 unauthenticated 60 MB chunked multipart POSTs', () => fourTimes(() => postChunked(assets, {}, formHead('big.png'), BODY_BYTES, formTail())));
  await measure(pid, '4 authenticated 60 MB chunked uploads (not an image)', () => fourTimes(() => postChunked(assets, auth, formHead('big.png'), BODY_BYTES, formTail())));
  await measure(pid, '4 PNG bombs (8000×8000 16-bit RGBA, 512 MB decoded)', () => fourTimes(() => uploadWhole(assets, token, multipart(bomb, 'bomb.png'))));
  if (fits) await measure(pid, '4 different 8192² 16-bit grey PNGs (128 MiB decoded)', () => Promise.all(fits.map((png, i) => uploadWhole(assets, token, multipart(png, `fit${i}.png`)))));
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
