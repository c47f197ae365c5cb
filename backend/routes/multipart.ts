/**
 * Streaming multipart/form-data: the file (or files) of an upload go straight from the socket to staging files, hashed
 * on the way, so an upload costs a few buffers of memory whatever its size, and reading stops at the byte limit. Small
 * text fields beside the files (before or after them) are collected.
 */
import busboy, { type Busboy } from 'busboy';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BadRequestError, DomainError, PayloadTooLargeError, ServiceUnavailableError, UnsupportedMediaTypeError } from '../domain/errors.js';
import type { StagedUpload } from '../services/assets.js';

export interface SingleFileOptions {
  /** The form field that carries the file. */
  field: string;
  /** Directory for the staging file; on the same file system as the final store, so that moving it is a rename. */
  dir: string;
  /** Largest file accepted; reading stops and the partial file is deleted once it is passed (413). */
  maxBytes: number;
  /**
   * A lower limit for a file named by its first bytes (e.g. only a TIFF may be a stack of many pages): applied once
   * HEAD_BYTES have arrived, so a file that may not be large is refused (413) as soon as it passes its own limit.
   */
  maxBytesFor?: (head: Uint8Array) => number;
  /** Text fields to collect (each at most once, at most FIELD_VALUE_BYTES); other text fields are dropped. */
  textFields?: readonly string[];
}

export interface FilesOptions extends SingleFileOptions {
  /** Most files accepted in `field`; one more is refused with `tooManyFiles()`. */
  maxFiles: number;
  /** Largest sum of the files' sizes (413 once passed). */
  maxTotalBytes: number;
  /** The refusal of a form with more than maxFiles files. */
  tooManyFiles: () => DomainError;
}

/** Longest text field value kept; the fields of an upload are ids, numbers and units. */
export const FIELD_VALUE_BYTES = 1024;

// Forms beside the file are tiny (at most a few text fields), so anything beyond these is not an upload from our clients.
const FORM_LIMITS = { fields: 32, fieldSize: 16 * 1024, parts: 64, headerPairs: 32 } as const;

/**
 * Streams the single file in `options.field` of a multipart/form-data request to a new file in `options.dir` and
 * returns where it is, its size and SHA-256, with the text fields named in `options.textFields` (sent before or after
 * the file). Other fields and files are read and dropped. Refuses a body that is not multipart (415), lacks the file
 * or has two (400), repeats a wanted text field or sends one longer than FIELD_VALUE_BYTES (400), or whose file is
 * over `maxBytes` (413); on any refusal the staging file is gone.
 */
export async function receiveSingleFile(request: Request, options: SingleFileOptions): Promise<StagedUpload> {
  const { files, fields } = await receiveFiles(request, {
    ...options,
    maxFiles: 1,
    maxTotalBytes: options.maxBytes,
    tooManyFiles: () => new BadRequestError('multiple_files', `send exactly one image per request in the field "${options.field}"`),
  });
  return { ...files[0]!, fields };
}

/**
 * Streams the files in `options.field` of a multipart/form-data request, in the order sent, to new files in
 * `options.dir`, like receiveSingleFile, and returns them with the wanted text fields. Refuses a form without a file
 * (400), with more than `maxFiles` (tooManyFiles()), a file over `maxBytes` or files together over `maxTotalBytes` (413);
 * on any refusal every staging file is gone.
 */
export async function receiveFiles(request: Request, options: FilesOptions): Promise<{ files: StagedUpload[]; fields: Record<string, string> }> {
  const contentType = request.headers.get('content-type') ?? undefined;
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType))
    throw new UnsupportedMediaTypeError(contentType, [`multipart/form-data with the image in a field named "${options.field}"`]);
  let parser: Busboy;
  // Room for every file beside the form's few text fields.
  const limits = { ...FORM_LIMITS, parts: FORM_LIMITS.parts + options.maxFiles - 1, fileSize: options.maxBytes };
  try {
    parser = busboy({ headers: { 'content-type': contentType }, limits });
  } catch (err) {
    throw new BadRequestError('malformed_multipart', `the multipart body cannot be parsed: ${messageOf(err)}`);
  }
  if (!request.body) throw missingFile(options.field);

  const staged: Promise<StagedUpload>[] = [];
  let totalBytes = 0;
  let refusal: Error | undefined;
  let storageFailure: Error | undefined;
  // Destroying the parser ends the pipeline below, which cancels the request body: nothing more is read. It waits a tick
  // because busboy still touches the current part after emitting the event that asked to stop.
  const stop = (reason: Error) => {
    refusal ??= reason;
    process.nextTick(() => parser.destroy(reason));
  };
  const wanted = new Set(options.textFields ?? []);
  const fields: Record<string, string> = {};
  parser.on('field', (name, value, info) => {
    if (!wanted.has(name)) return;
    if (Object.hasOwn(fields, name)) return stop(new BadRequestError('duplicate_field', `send the form field "${name}" once`));
    if (info.valueTruncated || Buffer.byteLength(value) > FIELD_VALUE_BYTES)
      return stop(new BadRequestError('field_too_long', `the form field "${name}" is longer than ${FIELD_VALUE_BYTES} bytes`));
    fields[name] = value;
  });
  parser.on('file', (name, stream, info) => {
    if (name !== options.field) return drain(stream);
    if (staged.length === options.maxFiles) {
      drain(stream);
      return stop(options.tooManyFiles());
    }
    stream.once('limit', () => stop(new PayloadTooLargeError(options.maxBytes)));
    let ownLimit: number | undefined;
    const file = writeStagingFile(stream, info.filename ?? '', options.dir, (bytes, head, fileBytes) => {
      totalBytes += bytes;
      if (totalBytes > options.maxTotalBytes) stop(new PayloadTooLargeError(options.maxTotalBytes));
      if (ownLimit === undefined && options.maxBytesFor && head.length >= HEAD_BYTES) ownLimit = options.maxBytesFor(head);
      if (ownLimit !== undefined && fileBytes > ownLimit) stop(new PayloadTooLargeError(ownLimit));
    });
    staged.push(file);
    // Only the disk failing stops the parse from here; a part that fails because the parse failed is reported by the parse.
    file.catch((err: unknown) => {
      if (err instanceof ServiceUnavailableError || isSystemError(err)) stop((storageFailure = err));
    });
  });
  for (const event of ['partsLimit', 'fieldsLimit'] as const)
    parser.on(event, () => stop(new BadRequestError('malformed_multipart', `the form has more parts than an image upload needs (at most ${limits.parts})`)));

  try {
    await pipeline(Readable.fromWeb(request.body), parser);
    // A stop asked for on the last chunk (the size limit) may come after the form ended; the file is then truncated.
    if (refusal) throw refusal;
    if (staged.length === 0) throw missingFile(options.field);
    return { files: await Promise.all(staged), fields };
  } catch (err) {
    // Files staged completely before a later refusal (one file too many, a broken end of form) are removed here.
    await Promise.all(staged.map((file) => file.then((f) => rm(f.path, { force: true }), () => undefined)));
    if (storageFailure) throw storageFailure;
    const reason = refusal ?? err;
    if (reason instanceof DomainError) throw reason;
    // Anything else came from the parser or the connection: a broken or cut-off body.
    throw new BadRequestError('malformed_multipart', `the multipart body cannot be parsed: ${messageOf(reason)}`);
  }
}

/** Bytes of a file's start that maxBytesFor sees: enough for any image signature. */
const HEAD_BYTES = 8;

/**
 * Writes a file part to a new staging file while hashing and counting it (each chunk's size, the file's first
 * HEAD_BYTES so far and its size so far to `onBytes`); removes the partial file if the part fails.
 */
async function writeStagingFile(part: Readable, filename: string, dir: string, onBytes: (bytes: number, head: Uint8Array, fileBytes: number) => void): Promise<StagedUpload> {
  const path = join(dir, `${randomUUID()}.part`);
  const hash = createHash('sha256');
  let byteSize = 0;
  let head = new Uint8Array(0);
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      if (head.length < HEAD_BYTES) head = Uint8Array.from([...head, ...chunk.subarray(0, HEAD_BYTES - head.length)]);
      byteSize += chunk.byteLength;
      onBytes(chunk.byteLength, head, byteSize);
      done(null, chunk);
    },
  });
  try {
    await pipeline(part, measure, createWriteStream(path, { flags: 'wx' }));
  } catch (err) {
    await rm(path, { force: true });
    const code = isSystemError(err) ? err.code : undefined;
    if (code === 'ENOSPC' || code === 'EDQUOT')
      throw new ServiceUnavailableError('storage_full', 'the data directory has no space left for this upload; try again later or tell the operator', 60);
    throw err;
  }
  return { filename, path, sha256: hash.digest('hex'), byteSize };
}

/** Whether an error is a failed system call (disk full, permissions) rather than a stream or parse error. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/** Reads and drops a part nobody wants; its error, if the parse is stopped, is the parse's and is reported there. */
function drain(part: Readable): void {
  part.on('error', () => {});
  part.resume();
}

/** The refusal of a form without the file. */
function missingFile(field: string): BadRequestError {
  return new BadRequestError('missing_file', `send the image as multipart/form-data in a field named "${field}"`);
}

/** An error's message, whatever was thrown. */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
