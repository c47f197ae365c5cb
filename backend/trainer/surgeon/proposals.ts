/** Candidate surgery operations for one Surgeon round, chosen from the network's shape and its activations' spectra. */
import type { RandomSource } from '../../../acquisition/sampling/random.js';
import { parameterCount } from '../mlp/architecture.js';
import { centerColumns, singularValues } from './linalg.js';
import { type Network, type ProbeData, addLayer, addNeurons, bottleneck, hiddenActivations, removeLayer, removeNeurons } from './operations.js';

/** One proposed change: what it is, and the network it yields (untrained after the change). */
export interface Candidate {
  operation: 'add-neurons' | 'add-layer' | 'remove-neurons' | 'remove-layer' | 'bottleneck';
  description: string;
  network: Network;
}

/** Relative singular value below which a direction of a layer's activations counts as removable capacity. */
const RANK_TOLERANCE = 1e-2;

/** All candidate operations on a network: widen, deepen, prune by activation rank, drop a layer, SVD bottleneck. */
export function proposeCandidates(network: Network, probe: ProbeData, random: RandomSource): Candidate[] {
  const candidates: Candidate[] = [];
  const activations = hiddenActivations(network, probe);
  network.spec.hidden.forEach((layer, l) => {
    const width = layer.units;
    const grow = Math.max(1, Math.round(width / 2));
    candidates.push({ operation: 'add-neurons', description: `layer ${l}: ${width} → ${width + grow} units`, network: addNeurons(network, l, grow, random) });
    const keep = pruneTarget(activations[l + 1], probe.n, width);
    if (keep !== null) {
      candidates.push({ operation: 'remove-neurons', description: `layer ${l}: ${width} → ${keep} units`, network: removeNeurons(network, l, keep, probe) });
    }
  });
  const last = network.spec.hidden.length - 1;
  if (last >= 0 && network.spec.hidden[last].activation === 'relu') {
    candidates.push({ operation: 'add-layer', description: `new relu layer after layer ${last}`, network: addLayer(network, last) });
  }
  if (network.spec.hidden.length > 1) {
    const layer = narrowestHidden(network);
    candidates.push({ operation: 'remove-layer', description: `remove layer ${layer}`, network: removeLayer(network, layer, probe) });
  }
  const widest = widestKernel(network);
  if (widest !== null) candidates.push(widest);
  return candidates;
}

/** Units to keep when pruning: the activations' numerical rank (at least 2) if below the width, else 3/4 of it; null if none. */
function pruneTarget(activations: Float64Array, n: number, width: number): number | null {
  if (width < 3) return null;
  const centered = centerColumns(activations, n, width);
  const sigma = singularValues(centered, n, width);
  const rank = sigma.filter((value) => value > RANK_TOLERANCE * (sigma[0] || 1)).length;
  const keep = rank < width ? Math.max(2, rank) : Math.max(2, Math.round(0.75 * width));
  return keep < width ? keep : null;
}


/** Index of the narrowest hidden layer (the cheapest to linearize away). */
function narrowestHidden(network: Network): number {
  let best = 0;
  network.spec.hidden.forEach((layer, l) => {
    if (layer.units < network.spec.hidden[best].units) best = l;
  });
  return best;
}

/** A rank-halving SVD bottleneck of the layer with the most weights, if that saves weights. */
function widestKernel(network: Network): Candidate | null {
  let best = -1;
  network.weights.forEach((dense, l) => {
    if (best === -1 || dense.kernel.length > network.weights[best].kernel.length) best = l;
  });
  const dense = network.weights[best];
  const rank = Math.floor(Math.min(dense.inSize, dense.outSize) / 2);
  if (rank < 1) return null;
  const next = bottleneck(network, best, rank);
  if (parameterCount(next.spec) >= parameterCount(network.spec)) return null;
  return { operation: 'bottleneck', description: `layer ${best}: rank-${rank} SVD bottleneck`, network: next };
}
