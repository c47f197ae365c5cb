/** Use cases for expert labels: read and save with optimistic concurrency; saved image-level ratings and classes derive the sample's expert outcomes. */
import type { LabelRow } from '../db/schema.js';
import { ConflictError, InvalidError } from '../domain/errors.js';
import type { LabelPoint, LabelPolygon, LabelStroke } from '../domain/types.js';
import { requireAsset } from './assets.js';
import { requireCampaign } from './campaigns.js';
import { iso, type ServiceContext } from './context.js';
import { deriveExpertResults } from './image-measurements.js';

export interface LabelInput {
  version: number;
  strokes: LabelStroke[];
  points: LabelPoint[];
  polygons: LabelPolygon[];
  class?: string | null;
  rating?: number | null;
}

export interface LabelView {
  assetId: number;
  strokes: LabelStroke[];
  points: LabelPoint[];
  polygons: LabelPolygon[];
  class: string | null;
  rating: number | null;
  author: string | null;
  version: number;
  updatedAt: string | null;
}

/** The asset's label, or an empty one at version 0 when none was saved yet. */
export async function getLabel(ctx: ServiceContext, assetId: number): Promise<LabelView> {
  await requireAsset(ctx, assetId);
  const row = await ctx.db.findLabel(assetId);
  return row ? toLabelView(row) : { assetId, strokes: [], points: [], polygons: [], class: null, rating: null, author: null, version: 0, updatedAt: null };
}

/**
 * Saves a label if `input.version` is the stored version (0 for the first save); a stale version is a 409, a volume
 * (not one of its slices) a 422. When the image shows a sample and the campaign declares expert quantities, the
 * sample's expert-derived result follows.
 */
export async function putLabel(ctx: ServiceContext, assetId: number, input: LabelInput, author: string): Promise<LabelView> {
  const saved = await saveLabel(ctx, assetId, input, author);
  ctx.events?.publish({ type: 'label', campaignId: saved.campaignId, assetId, version: saved.view.version });
  if (saved.derivesExpertOutcomes) await deriveExpertResults(ctx, saved.campaignId);
  return saved.view;
}

async function saveLabel(ctx: ServiceContext, assetId: number, input: LabelInput, author: string): Promise<{ campaignId: number; view: LabelView; derivesExpertOutcomes: boolean }> {
  return await ctx.db.transaction(async (tx) => {
    const tctx = { ...ctx, db: tx };
    const asset = await requireAsset(tctx, assetId);
    if (asset.depth > 1)
      throw new InvalidError('label_a_slice', `asset ${assetId} is a volume of ${asset.depth} slices; labels belong to its slices (sliceAssetIds), one label per slice`, { depth: asset.depth });
    const campaign = await requireCampaign(tctx, asset.campaignId);
    checkLabelFitsImage(input, asset.width, asset.height, campaign.settings.labelClasses.map((c) => c.name));
    const values = {
      strokes: input.strokes,
      points: input.points,
      polygons: input.polygons,
      imageClass: input.class ?? null,
      rating: input.rating ?? null,
      author,
    };
    const current = await tx.findLabel(assetId);
    const currentVersion = current?.version ?? 0;
    if (input.version !== currentVersion)
      throw new ConflictError('stale_version', `the label was changed by ${current?.author ?? 'someone'} (now version ${currentVersion}); reload it and apply your edit again`, {
        currentVersion,
        current: current ? toLabelView(current) : null,
      });
    const row = current ? await tx.updateLabelIfVersion(assetId, currentVersion, values) : await tx.insertLabel({ assetId, ...values, version: 1 });
    if (!row) throw new ConflictError('stale_version', 'the label changed while saving; reload it');
    const derivesExpertOutcomes = asset.sampleId !== null && campaign.imageMeasurements.some((m) => m.quantity === 'expert-rating' || m.quantity === 'expert-class-fraction');
    return { campaignId: campaign.id, view: toLabelView(row), derivesExpertOutcomes };
  });
}

/** Refuses coordinates outside the image and classes the campaign does not define. */
function checkLabelFitsImage(input: LabelInput, width: number, height: number, classes: string[]): void {
  const problems: string[] = [];
  const known = new Set(classes);
  const checkClass = (c: string, where: string) => {
    if (!known.has(c)) problems.push(`${where}: class "${c}" is not one of ${classes.join(', ')}`);
  };
  const checkXY = (pts: number[], where: string) => {
    if (pts.length % 2 !== 0) return problems.push(`${where}: points must be x,y pairs`);
    for (let i = 0; i < pts.length; i += 2)
      if (pts[i] < 0 || pts[i] > width || pts[i + 1] < 0 || pts[i + 1] > height) {
        problems.push(`${where}: point (${pts[i]}, ${pts[i + 1]}) lies outside the ${width}×${height} image`);
        return;
      }
  };
  input.strokes.forEach((s, i) => {
    checkClass(s.class, `strokes[${i}]`);
    checkXY(s.points, `strokes[${i}]`);
  });
  input.points.forEach((p, i) => {
    checkClass(p.class, `points[${i}]`);
    checkXY([p.x, p.y], `points[${i}]`);
  });
  input.polygons.forEach((p, i) => {
    checkClass(p.class, `polygons[${i}]`);
    if (p.points.length < 6) problems.push(`polygons[${i}]: a polygon needs at least three vertices`);
    checkXY(p.points, `polygons[${i}]`);
  });
  if (input.class != null) checkClass(input.class, 'class');
  if (problems.length > 0) throw new InvalidError('invalid_label', problems.slice(0, 5).join('; '), problems);
}

/** The API view of a label row. */
export function toLabelView(r: LabelRow): LabelView {
  return {
    assetId: r.assetId,
    strokes: r.strokes,
    points: r.points,
    polygons: r.polygons,
    class: r.imageClass,
    rating: r.rating,
    author: r.author,
    version: r.version,
    updatedAt: iso(r.updatedAt),
  };
}
