// Which model versions the diagnostics views show, and how their answers combine: the server trains one model per
// objective in one job, so the newest job's models together cover every objective.
import type { ModelDiagnostics, ModelVersion } from '../../api/types.js';

/** The models of the newest training job (newest first in `models`); the newest model alone when it has no job. */
export function modelsOfNewestJob(models: readonly ModelVersion[]): ModelVersion[] {
  const newest = models[0];
  if (newest === undefined) return [];
  if (newest.jobId === null || newest.jobId === undefined) return [newest];
  return models.filter((model) => model.jobId === newest.jobId);
}

/** One set of diagnostics from several models' answers (null answers skipped); null when none answered. */
export function mergeDiagnostics(answers: readonly (ModelDiagnostics | null)[]): ModelDiagnostics | null {
  const present = answers.filter((answer): answer is ModelDiagnostics => answer !== null);
  if (present.length === 0) return null;
  return {
    parity: Object.assign({}, ...present.map((answer) => answer.parity ?? {})),
    slices: present.flatMap((answer) => answer.slices ?? []),
    slices2d: present.flatMap((answer) => answer.slices2d ?? []),
  };
}
