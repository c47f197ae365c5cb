/** Domain types of the service beyond the acquisition engine's shapes. */
export type { Objective, OutcomeConstraint, Outcomes, Parameter, ParamValues } from '../../acquisition/types.js';
import type { SurrogateSetting } from '../../acquisition/validation/types.js';
export { SURROGATE_SETTINGS, type SurrogateSetting } from '../../acquisition/validation/types.js';

export const ROLES = ['admin', 'expert', 'experimentalist', 'client'] as const;
export type Role = (typeof ROLES)[number];

/** 'retracted': withdrawn from the campaign with a reason (audited); it and its results leave every model. */
export const SAMPLE_STATUSES = ['candidate', 'pending', 'running', 'measured', 'failed', 'retracted'] as const;
export type SampleStatus = (typeof SAMPLE_STATUSES)[number];

/** What an audit event is about, and what was done to it. */
export const AUDIT_ENTITIES = ['result', 'sample', 'campaign'] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];
export const AUDIT_ACTIONS = ['correct', 'retract', 'archive', 'restore'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
/** A reason is what makes a correction reviewable later, so it is required and bounded (characters). */
export const MAX_REASON_LENGTH = 500;

/** The ways the label queue can be ordered (backend/services/label-queue.ts). */
export const LABEL_QUEUE_STRATEGIES = ['decision', 'uncertainty', 'diversity'] as const;
export type LabelQueueStrategy = (typeof LABEL_QUEUE_STRATEGIES)[number];

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A class experts can paint or assign, with its display colour. */
export interface LabelClass {
  name: string;
  color: string;
}

/** The classes a campaign gets when it names none (an SEM/FIB micrograph of a membrane: pore vs. solid). */
export const DEFAULT_LABEL_CLASSES: readonly Readonly<LabelClass>[] = [
  { name: 'pore', color: '#1f77b4' },
  { name: 'solid', color: '#ff7f0e' },
];

/** Per-campaign behaviour that is not part of the design space. */
export interface CampaignSettings {
  defaultStrategy?: string;
  batchSize: number;
  /** Minutes after which a suggested sample with no result goes back to the pool. */
  pendingTimeoutMinutes: number;
  labelClasses: LabelClass[];
  /** Which sample features the surrogate uses (default: all); a sparse subset from the insights, for instance. */
  modelFeatures?: string[];
  /**
   * Which surrogate ranks suggestions: 'auto' (default) picks per outcome by held-out log density (the GP unless a
   * trained network is better by a margin), or always the given kind while one is usable.
   */
  surrogate?: SurrogateSetting;
  /**
   * The simulated lab that measures this campaign's experiments (demo and `twinlab simulate` campaigns only): the board
   * then offers "Measure with the simulated lab". Absent for a real lab, whatever its definition.
   */
  simulator?: SimulatorName;
  /**
   * Whether segmentation gives a volume's slices context features from their neighbouring slices ('neighbours', the
   * default: tells a pore that shows solid further back from solid at the cut plane) or segments each slice alone.
   */
  segmentationContext?: 'neighbours' | 'none';
}

/** The simulated labs a campaign can be marked with (settings.simulator). */
export const SIMULATOR_NAMES = ['membrane', 'membrane-images', 'corrosion'] as const;
export type SimulatorName = (typeof SIMULATOR_NAMES)[number];

/** One brush or eraser stroke, in image pixel coordinates: points = [x0, y0, x1, y1, ...]. */
export interface LabelStroke {
  class: string;
  width: number;
  tool?: 'brush' | 'eraser';
  points: number[];
}

/** One clicked point of a class, in image pixels. */
export interface LabelPoint {
  class: string;
  x: number;
  y: number;
}

/** One closed polygon of a class, in image pixels: points = [x0, y0, x1, y1, ...]. */
export interface LabelPolygon {
  class: string;
  points: number[];
}

/** Physical units of a pixel's size. */
export const PIXEL_UNITS = ['nm', 'µm'] as const;
export type PixelUnit = (typeof PIXEL_UNITS)[number];

/**
 * What can be read off a sample's images (see issue 11): on the segmentation model's class map of each image,
 * 'area-fraction' of `class`; of the connected regions of `class` not cut by the border, 'mean-equivalent-diameter'
 * (pixel unit), 'number-density' (per unit area), 'diameter-dispersity' (std / mean of the diameters) and
 * 'hexagonal-order' (mean |ψ6| of the region centroids); from experts' image-level labels, 'expert-rating' (mean
 * rating) and 'expert-class-fraction' (fraction of the labeled images put in image-level `class`).
 */
export const IMAGE_QUANTITIES = [
  'area-fraction',
  'mean-equivalent-diameter',
  'number-density',
  'diameter-dispersity',
  'hexagonal-order',
  'expert-rating',
  'expert-class-fraction',
] as const;
export type ImageQuantity = (typeof IMAGE_QUANTITIES)[number];

/** Length dimension of an image quantity: 1 for a diameter, −2 for a density per area, 0 for the dimensionless ones. */
export const LENGTH_EXPONENT: Readonly<Record<ImageQuantity, 1 | -2 | 0>> = {
  'area-fraction': 0,
  'mean-equivalent-diameter': 1,
  'number-density': -2,
  'diameter-dispersity': 0,
  'hexagonal-order': 0,
  'expert-rating': 0,
  'expert-class-fraction': 0,
};

/** One outcome of a campaign that twinlab measures on the sample's images; `name` is usable in objectives and constraints. */
export interface ImageMeasurement {
  name: string;
  quantity: ImageQuantity;
  /** The segmentation class (area fraction, regions) or image-level class (expert-class-fraction) it is about. */
  class?: string;
  unit?: string;
}

/** The source of results that twinlab derives from images with a segmentation model. */
export const IMAGE_ANALYSIS_SOURCE = 'image-analysis';
