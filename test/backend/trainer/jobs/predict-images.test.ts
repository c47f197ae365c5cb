import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { useCpuTfBackend } from '../../support.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import { simulateScribbles } from '../../../../backend/demo/micrograph-lab.js';
import type { JobContext } from '../../../../backend/jobs/types.js';
import { PermanentJobError } from '../../../../backend/jobs/types.js';
import { classifierDirOf, run as predictImages, type PredictImagesResult } from '../../../../backend/trainer/jobs/predict-images.js';
import { run as segmentCampaign, SEGMENTATION_FILES, type SegmentCampaignResult } from '../../../../backend/trainer/jobs/segment-campaign.js';
import { writePoreLattice } from './pore-lattice.js';

const dir = mkdtempSync(join(tmpdir(), 'twinlab-predict-images-'));
useCpuTfBackend();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A context that records progress lines. */
function recordingContext(lines: string[] = []): JobContext {
  // Every file of these tests lies under tmpdir(): their data directory.
  return { jobId: 1, attempt: 1, dataDir: tmpdir(), progress: (_f, ...l) => lines.push(...l), log: (...l) => lines.push(...l), shouldStop: () => false };
}

const classes = ['solid', 'pore'];
const colors = ['#ff7f0e', '#1f77b4'];
const measurements = [
  { name: 'porosity', quantity: 'area-fraction' as const, class: 'pore' },
  { name: 'diameter', quantity: 'mean-equivalent-diameter' as const, class: 'pore' },
  { name: 'order', quantity: 'hexagonal-order' as const, classIndex: 1 },
];

describe('predict-images job handler', () => {
  it('predicts new images with a saved classifier exactly as the training job did, and writes their maps', async () => {
    const labeled = await writePoreLattice(join(dir, 'a.png'), 128, 24, 7, 1);
    await writePoreLattice(join(dir, 'b.png'), 128, 24, 7, 2);
    const strokes = simulateScribbles(labeled.mask, 128, 128, { classNames: classes, strokesPerClass: 6, maxStrokeLength: 12 }, createRandom(4));
    const modelDir = join(dir, 'model');
    const trained = await segmentCampaign({
      classes, colors, artifactDir: modelDir, seed: 1, measurements,
      images: [{ assetId: 1, imagePath: join(dir, 'a.png'), strokes }, { assetId: 2, imagePath: join(dir, 'b.png'), pixelSize: 3 }],
    }, recordingContext()) as SegmentCampaignResult;

    // The same image again, as a new asset (id 9) of the same model: maps land in the model's folder.
    const lines: string[] = [];
    const result = await predictImages({
      classifierDir: classifierDirOf(modelDir), artifactDir: modelDir, classes, colors, measurements,
      images: [{ assetId: 9, imagePath: join(dir, 'b.png'), pixelSize: 3 }],
    }, recordingContext(lines)) as PredictImagesResult;
    expect(result.modelArtifactDir).toBe(relative(tmpdir(), modelDir));
    expect(result.classes).toEqual(classes);
    expect(result.images).toHaveLength(1);
    const [image] = result.images;
    const reference = trained.images[1];
    expect(image.assetId).toBe(9);
    expect(image.meanEntropy).toBeCloseTo(reference.meanEntropy, 6);
    expect(image.classFractions).toEqual(reference.classFractions);
    expect(image.measurements).toEqual(reference.measurements);
    expect(image.measurements.diameter.members).toHaveLength(3);
    for (const file of Object.values(SEGMENTATION_FILES)) expect(existsSync(join(modelDir, 'assets', '9', file))).toBe(true);
    expect(readFileSync(join(modelDir, 'assets', '9', SEGMENTATION_FILES.classes))).toEqual(readFileSync(join(modelDir, 'assets', '2', SEGMENTATION_FILES.classes)));
    expect(lines.some((l) => l.includes('image 9 predicted'))).toBe(true);
  });

  it('fails permanently without a saved classifier or with a bad measurement request', async () => {
    const image = { assetId: 1, imagePath: join(dir, 'a.png') };
    const base = { classifierDir: join(dir, 'nowhere', 'classifier'), artifactDir: join(dir, 'nowhere'), classes, colors, images: [image] };
    await expect(predictImages(base, recordingContext())).rejects.toThrow(PermanentJobError);
    await expect(predictImages(base, recordingContext())).rejects.toThrow(/no saved classifier/);
    const bad = { ...base, classifierDir: classifierDirOf(join(dir, 'model')), measurements: [{ name: 'x', quantity: 'expert-class-fraction', class: 'pore' }] };
    await expect(predictImages(bad, recordingContext())).rejects.toThrow(/bad predict-images payload: measurements\.0\.quantity/);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });
});
