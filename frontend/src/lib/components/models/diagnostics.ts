// Which views of a model's diagnostics answer belong to one objective: a GP record's answer covers every objective,
// a network's its own; the page shows one objective of one model at a time.
import type { ModelDiagnostics, ParityPoint, SurrogateSlice, SurrogateSlice2d } from '../../api/types.js';

/** The parity points, 1-D and 2-D slices of one objective in a diagnostics answer (empty lists where it has none). */
export interface ObjectiveDiagnostics {
  objective: string;
  parity: ParityPoint[];
  slices: SurrogateSlice[];
  slices2d: SurrogateSlice2d[];
}

/** The views of `objective` in a diagnostics answer. */
export function diagnosticsOfObjective(answer: ModelDiagnostics, objective: string): ObjectiveDiagnostics {
  return {
    objective,
    parity: answer.parity?.[objective] ?? [],
    slices: (answer.slices ?? []).filter((slice) => slice.objective === objective),
    slices2d: (answer.slices2d ?? []).filter((slice) => slice.objective === objective),
  };
}
