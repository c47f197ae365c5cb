/**
 * Saves networks as a directory with `model.json` (format, specs, metadata, weight offsets) and `weights.bin`
 * (little-endian float32). Serialized by hand so no tfjs-node file IO is needed and any backend can load it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError } from './errors.js';
import { type ArchitectureSpec, type MlpWeights, checkWeightsFit, layerSizes } from './mlp/architecture.js';

const FORMAT = 'twinlab-networks';
const VERSION = 1;

/** One network to save: its spec and weights. */
export interface SavedNetwork {
  spec: ArchitectureSpec;
  weights: MlpWeights;
}

/** The content of a saved directory. */
export interface SavedNetworks<Meta> {
  kind: string;
  meta: Meta;
  networks: SavedNetwork[];
}

interface Manifest {
  format: string;
  version: number;
  kind: string;
  meta: unknown;
  networks: { spec: ArchitectureSpec; offset: number }[];
  totalFloats: number;
}

/** Writes networks and metadata under dir (created if missing). */
export function saveNetworks<Meta>(dir: string, saved: SavedNetworks<Meta>): void {
  mkdirSync(dir, { recursive: true });
  let offset = 0;
  const manifest: Manifest = { format: FORMAT, version: VERSION, kind: saved.kind, meta: saved.meta, networks: [], totalFloats: 0 };
  for (const network of saved.networks) {
    checkWeightsFit(network.spec, network.weights);
    manifest.networks.push({ spec: network.spec, offset });
    offset += network.weights.reduce((sum, layer) => sum + layer.kernel.length + layer.bias.length, 0);
  }
  manifest.totalFloats = offset;
  const floats = new Float32Array(offset);
  let cursor = 0;
  for (const network of saved.networks) {
    for (const layer of network.weights) {
      floats.set(layer.kernel, cursor);
      cursor += layer.kernel.length;
      floats.set(layer.bias, cursor);
      cursor += layer.bias.length;
    }
  }
  writeFileSync(join(dir, 'weights.bin'), littleEndianBytes(floats));
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
}

/** Reads what saveNetworks wrote; throws ModelFormatError on a missing, foreign or truncated directory. */
export function loadNetworks<Meta>(dir: string, expectedKind: string): SavedNetworks<Meta> {
  const manifest = readManifest(dir);
  if (manifest.kind !== expectedKind) throw new ModelFormatError(`${dir} holds a ${manifest.kind}, expected ${expectedKind}`);
  const bytes = readFileSync(join(dir, 'weights.bin'));
  if (bytes.length !== manifest.totalFloats * 4) {
    throw new ModelFormatError(`${dir}/weights.bin has ${bytes.length} bytes, the manifest says ${manifest.totalFloats * 4}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const networks = manifest.networks.map(({ spec, offset }) => ({ spec, weights: readWeights(spec, view, offset) }));
  return { kind: manifest.kind, meta: manifest.meta as Meta, networks };
}

/** Parses and checks model.json. */
function readManifest(dir: string): Manifest {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Manifest;
  } catch (error) {
    throw new ModelFormatError(`cannot read ${dir}/model.json: ${(error as Error).message}`);
  }
  if (manifest.format !== FORMAT || manifest.version !== VERSION) {
    throw new ModelFormatError(`${dir}/model.json is ${manifest.format} v${manifest.version}, expected ${FORMAT} v${VERSION}`);
  }
  return manifest;
}

/** Reads one network's layers starting at a float offset. */
function readWeights(spec: ArchitectureSpec, view: DataView, offset: number): MlpWeights {
  const sizes = layerSizes(spec);
  let cursor = offset;
  const take = (count: number): Float32Array => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32((cursor + i) * 4, true);
    cursor += count;
    return out;
  };
  const weights: MlpWeights = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const kernel = take(sizes[l] * sizes[l + 1]);
    weights.push({ inSize: sizes[l], outSize: sizes[l + 1], kernel, bias: take(sizes[l + 1]) });
  }
  return weights;
}

/** The floats as little-endian bytes whatever the host's endianness. */
function littleEndianBytes(floats: Float32Array): Buffer {
  const buffer = Buffer.alloc(floats.length * 4);
  for (let i = 0; i < floats.length; i++) buffer.writeFloatLE(floats[i], i * 4);
  return buffer;
}
