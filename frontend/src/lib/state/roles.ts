// Which parts of the app each token role sees (DESIGN.md roles). The server enforces permissions;
// this only keeps the navigation free of pages a role cannot use.
import type { Role } from '../api/types.js';

/**
 * 'correct': correct or retract results and samples; 'archive': archive and restore campaigns; 'edit-campaign': change
 * a campaign's definition and settings (PATCH); 'train': start training jobs.
 */
export type Feature = 'campaigns' | 'create-campaign' | 'edit-campaign' | 'import' | 'correct' | 'archive' | 'label' | 'experiments' | 'models' | 'train' | 'tokens';

const FEATURES_BY_ROLE: Record<Role, ReadonlySet<Feature>> = {
  admin: new Set<Feature>(['campaigns', 'create-campaign', 'edit-campaign', 'import', 'correct', 'archive', 'label', 'experiments', 'models', 'train', 'tokens']),
  expert: new Set<Feature>(['campaigns', 'label', 'models']),
  experimentalist: new Set<Feature>(['campaigns', 'create-campaign', 'edit-campaign', 'import', 'correct', 'archive', 'experiments', 'models', 'train']),
  client: new Set<Feature>(['campaigns', 'create-campaign', 'edit-campaign', 'import', 'correct', 'archive', 'experiments', 'models', 'train']),
};

/** Whether a role may use a feature; an unknown role (no /api/whoami yet) sees everything but token admin. */
export function roleAllows(role: Role | null, feature: Feature): boolean {
  if (role === null) return feature !== 'tokens';
  return FEATURES_BY_ROLE[role].has(feature);
}
