import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, type Route } from '../../../../../frontend/src/lib/state/routes.js';
import { roleAllows } from '../../../../../frontend/src/lib/state/roles.js';

describe('routes', () => {
  it('parses every page and builds its href back', () => {
    const routes: Route[] = [
      { name: 'campaigns' },
      { name: 'campaign-new' },
      { name: 'campaign', campaignId: 'c/1' },
      { name: 'label', campaignId: 'c1' },
      { name: 'label', campaignId: 'c1', assetId: 'a9' },
      { name: 'experiments', campaignId: 'c1' },
      { name: 'models', campaignId: 'c1' },
      { name: 'tokens' },
      { name: 'signin' },
    ];
    for (const route of routes) expect(parseRoute(hrefOf(route))).toEqual(route);
  });

  it('maps unknown paths to not-found', () => {
    expect(parseRoute('/campaigns/c1/unknown')).toEqual({ name: 'not-found', path: '/campaigns/c1/unknown' });
  });
});

describe('roleAllows', () => {
  it('shows labeling to experts, experiments to experimentalists, tokens to admins only', () => {
    expect(roleAllows('expert', 'label')).toBe(true);
    expect(roleAllows('expert', 'experiments')).toBe(false);
    expect(roleAllows('experimentalist', 'experiments')).toBe(true);
    expect(roleAllows('experimentalist', 'label')).toBe(false);
    expect(roleAllows('admin', 'tokens')).toBe(true);
    expect(roleAllows('client', 'tokens')).toBe(false);
    expect(roleAllows(null, 'tokens')).toBe(false);
    expect(roleAllows(null, 'label')).toBe(true);
  });

  it('lets the roles the server allows to change campaigns and train change the surrogate setting and train', () => {
    // The server's CAN_WRITE_CAMPAIGNS and CAN_WRITE_DATA: admin, experimentalist, client.
    for (const role of ['admin', 'experimentalist', 'client'] as const) {
      expect(roleAllows(role, 'edit-campaign')).toBe(true);
      expect(roleAllows(role, 'train')).toBe(true);
    }
    expect(roleAllows('expert', 'edit-campaign')).toBe(false);
    expect(roleAllows('expert', 'train')).toBe(false);
    expect(roleAllows('expert', 'models')).toBe(true);
  });
});
