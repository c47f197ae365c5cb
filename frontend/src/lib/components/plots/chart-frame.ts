// Shared geometry of the SVG charts: a fixed viewBox with margins for the axes, so charts scale to
// their container width without layout jumps (the aspect ratio is fixed before data arrives).
export const CHART_WIDTH = 520;
export const CHART_HEIGHT = 300;
export const MARGIN = { top: 14, right: 16, bottom: 46, left: 60 };

/** Pixel range of the x axis. */
export function xRange(): [number, number] {
  return [MARGIN.left, CHART_WIDTH - MARGIN.right];
}

/** Pixel range of the y axis (bottom to top, since SVG y grows downwards). */
export function yRange(): [number, number] {
  return [CHART_HEIGHT - MARGIN.bottom, MARGIN.top];
}
