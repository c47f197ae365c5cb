// Complete wire objects for browser-app tests: the service's fields with neutral values, so that a test names only
// the fields it is about and still passes a value the server could have sent.
import type { Asset, Campaign, Job, Label, ModelVersion, Sample } from '../../../frontend/src/lib/api/types.js';

/** A campaign as GET /api/campaigns/{id} answers it. */
export function aCampaign(fields: Partial<Campaign> = {}): Campaign {
  return {
    id: 1,
    name: 'campaign',
    description: '',
    parameters: [],
    objectives: [],
    constraints: [],
    settings: { batchSize: 4, pendingTimeoutMinutes: 1440, labelClasses: [{ name: 'pore', color: '#1f77b4' }, { name: 'solid', color: '#ff7f0e' }], surrogate: 'auto' },
    imageMeasurements: [],
    counts: { samples: 0, byStatus: {}, results: 0, assets: 0 },
    archivedAt: null,
    createdAt: null,
    updatedAt: null,
    ...fields,
  };
}

/** A background job as GET /api/jobs/{id} answers it. */
export function aJob(fields: Partial<Job> = {}): Job {
  return { id: 1, kind: 'train-surrogate', campaignId: 1, status: 'queued', progress: 0, attempts: 0, maxAttempts: 3, result: null, log: '', createdAt: null, updatedAt: null, ...fields };
}

/** A trained model as GET /api/campaigns/{id}/models lists it. */
export function aModel(fields: Partial<ModelVersion> = {}): ModelVersion {
  return { id: 1, campaignId: 1, kind: 'gp', objective: null, architecture: {}, metrics: {}, trainingSnapshot: {}, artifactPath: null, jobId: null, createdAt: null, ...fields };
}

/** An uploaded image as GET /api/campaigns/{id}/assets lists it. */
export function anAsset(fields: Partial<Asset> = {}): Asset {
  const id = fields.id ?? 1;
  return {
    id, campaignId: 1, sha256: '0'.repeat(64), mediaType: 'image/png', filename: `${id}.png`, byteSize: 0, width: 4, height: 4, channels: 1, bitDepth: 8,
    url: `/api/assets/${id}`, sampleId: null, pixelSize: null, pixelUnit: null, kind: 'image', depth: 1, sliceSpacing: null, slicePositions: null, sliceAssetIds: [],
    volume: null, createdAt: null, ...fields,
  };
}

/** The label of an image as GET /api/assets/{id}/label answers it (empty, version 0, unless given). */
export function aLabel(fields: Partial<Label> = {}): Label {
  return { assetId: 1, strokes: [], points: [], polygons: [], class: null, rating: null, author: null, version: 0, updatedAt: null, ...fields };
}

/** A sample as GET /api/campaigns/{id}/samples lists it (an imported candidate, unless given). */
export function aSample(fields: Partial<Sample> = {}): Sample {
  return {
    id: 1, campaignId: 1, externalId: null, params: {}, features: null, smiles: null, assetId: null, images: [], status: 'candidate', origin: 'import',
    pendingSince: null, createdAt: null, updatedAt: null, ...fields,
  };
}
