import { describe, expect, it } from 'vitest';
import { identityOf } from '../../../../../../frontend/src/lib/components/layout/identity.js';

describe('identityOf (the header names who is signed in)', () => {
  it('shows the environment admin token as "Admin", its origin only in the tooltip', () => {
    const identity = identityOf({ tokenId: 1, name: 'Admin', role: 'admin', campaigns: null, managedByEnvironment: true });
    expect(identity).toEqual({
      name: 'Admin',
      role: null,
      title: 'Signed in with the admin token set when the service was started (TWINLAB_ADMIN_TOKEN); role admin; reaches every campaign.',
    });
  });

  it("shows a person's token by its name with the role as a badge, and the campaigns it reaches", () => {
    const identity = identityOf({ tokenId: 7, name: 'anna', role: 'expert', campaigns: [3, 5], managedByEnvironment: false });
    expect(identity?.name).toBe('anna');
    expect(identity?.role).toBe('expert');
    expect(identity?.title).toBe('Signed in with the token “anna”; role expert; reaches only campaigns #3, #5.');
    expect(identity?.title).not.toContain('TWINLAB');
  });

  it('has nothing to show before the server said who it is', () => {
    expect(identityOf(null)).toBeNull();
  });
});
