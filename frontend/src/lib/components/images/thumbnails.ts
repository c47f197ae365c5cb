// Small copies of images for thumbnails. <img src> cannot send the bearer token, so each image is fetched once with
// it, scaled down in the browser (a 1024² micrograph would otherwise stay decoded at full size in every row), and
// kept as an object URL for the rest of the session (asset bytes never change behind an id).
import type { ApiClient } from '../../api/client.js';
import type { IdLike } from '../../api/types.js';

const cache = new Map<string, Promise<string | null>>();

/** Side of the scaled copy in device pixels: twice the shown size, so it stays sharp on high-density screens. */
function copySide(size: number): number {
  return Math.max(1, Math.round(size * 2));
}

/**
 * An object URL of the image scaled so its shorter side is 2·`size` pixels (never enlarged), or null when the browser
 * cannot decode it (e.g. TIFF) or it cannot be read.
 */
export function thumbnailUrl(api: Pick<ApiClient, 'assetImage'>, assetId: IdLike, size: number): Promise<string | null> {
  const key = `${assetId}@${size}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = scaledCopy(api, assetId, copySide(size)).catch(() => null);
    cache.set(key, pending);
  }
  return pending;
}

/** Fetches and decodes one image, draws it scaled onto a canvas, and returns the JPEG copy's object URL. */
async function scaledCopy(api: Pick<ApiClient, 'assetImage'>, assetId: IdLike, side: number): Promise<string> {
  const bitmap = await createImageBitmap(await api.assetImage(assetId));
  const scale = Math.min(1, side / Math.min(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext('2d');
  if (context) {
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  }
  bitmap.close();
  const copy = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  if (!copy) throw new Error(`image ${assetId} could not be scaled`);
  return URL.createObjectURL(copy);
}
