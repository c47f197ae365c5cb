/** The local file store (the data directory as the only copy), the choice of store, and the path checks every store applies. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../backend/config.js';
import { NotFoundError } from '../../../backend/domain/errors.js';
import {
  assetFilePath,
  checkedPath,
  createFileStore,
  fileStoreOf,
  LocalFileStore,
  pathInDataDir,
  StoredFileNotFoundError,
  UnsafeFilePathError,
  type FileStore,
} from '../../../backend/files/file-store.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'twinlab-local-files-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Writes a file at `path` inside the data directory. */
function put(path: string, text = 'x'): void {
  mkdirSync(dirname(join(dataDir, path)), { recursive: true });
  writeFileSync(join(dataDir, path), text);
}

describe('file paths', () => {
  it('normalizes relative paths to the store key', () => {
    expect(checkedPath('assets/ab/x.png')).toBe('assets/ab/x.png');
    expect(checkedPath('models//3/./train-1/')).toBe('models/3/train-1');
  });

  it.each(['', '/etc/passwd', '../x', 'assets/../../x', 'models/..', 'a\\..\\b', 'a\0b', '.', './'])('refuses %j', (path) => {
    expect(() => checkedPath(path)).toThrow(UnsafeFilePathError);
  });

  it('turns locations inside the data directory into keys and refuses those outside', () => {
    expect(pathInDataDir(dataDir, join(dataDir, 'models', '1', 'cv.json'))).toBe('models/1/cv.json');
    expect(() => pathInDataDir(dataDir, join(dataDir, '..', 'elsewhere'))).toThrow(UnsafeFilePathError);
    expect(() => pathInDataDir(dataDir, dataDir)).toThrow(UnsafeFilePathError);
  });

  it("places an asset's storage path under the assets folder and refuses one that climbs out", () => {
    const config = loadConfig({ TWINLAB_DATA: dataDir });
    expect(assetFilePath(config, 'ab/abcd.png')).toBe('assets/ab/abcd.png');
    expect(() => assetFilePath(config, '../twinlab.sqlite')).toThrow(UnsafeFilePathError);
  });
});

describe('LocalFileStore', () => {
  it('fetches files that are in the data directory and answers not found for others', async () => {
    const files = new LocalFileStore(dataDir);
    put('assets/ab/x.png');
    await files.publish('assets/ab/x.png');
    expect(await files.fetch('assets/ab/x.png')).toBe(join(dataDir, 'assets/ab/x.png'));
    const missing = files.fetch('assets/ab/y.png');
    await expect(missing).rejects.toBeInstanceOf(StoredFileNotFoundError);
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    // A folder is not a file.
    await expect(files.fetch('assets/ab')).rejects.toBeInstanceOf(StoredFileNotFoundError);
    await expect(files.fetch('../x')).rejects.toBeInstanceOf(UnsafeFilePathError);
    await expect(files.publish('/etc/passwd')).rejects.toBeInstanceOf(UnsafeFilePathError);
  });

  it('lists a folder\'s files, sorted, without fetches\' temporary files, and nothing for a folder that is not there', async () => {
    const files = new LocalFileStore(dataDir);
    put('models/1/segmentation-2/assets/5/prediction.png');
    put('models/1/segmentation-2/model.json');
    put('models/1/segmentation-2/.model.json.0b1c.fetching');
    put('models/1/segmentation-20/model.json');
    expect(await files.listTree('models/1/segmentation-2')).toEqual(['models/1/segmentation-2/assets/5/prediction.png', 'models/1/segmentation-2/model.json']);
    expect(await files.listTree('models/9')).toEqual([]);
    await files.fetchTree('models/1/segmentation-2');
    await files.forgetTree('models/1/segmentation-2');
    // The local copy is the caller's: forgetting the (non-existent) shared copy leaves it.
    expect(await files.fetch('models/1/segmentation-2/model.json')).toBe(join(dataDir, 'models/1/segmentation-2/model.json'));
  });
});

describe('choosing the file store', () => {
  it('uses the data directory on SQLite and needs the URL on PostgreSQL', () => {
    const config = loadConfig({ TWINLAB_DATA: dataDir });
    expect(createFileStore({ dialect: 'sqlite' }, config)).toStrictEqual(new LocalFileStore(dataDir));
    expect(() => createFileStore({ dialect: 'postgres' }, { ...config, databaseUrl: null })).toThrow(/databaseUrl/);
  });

  it("takes the context's file store, else the data directory alone", () => {
    const config = loadConfig({ TWINLAB_DATA: dataDir });
    expect(fileStoreOf({ config })).toStrictEqual(new LocalFileStore(dataDir));
    const given: FileStore = new LocalFileStore(join(dataDir, 'other'));
    expect(fileStoreOf({ config, files: given })).toBe(given);
  });
});
