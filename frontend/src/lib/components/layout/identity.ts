// How the header names the person signed in: the token's name in plain words, its role as a badge, and where the
// token comes from only in a tooltip (an environment variable means nothing to most lab members).
import type { WhoAmI } from '../../api/types.js';

export interface Identity {
  /** What the header shows. */
  name: string;
  /** The role badge, or null when the name already says it ("Admin"). */
  role: string | null;
  /** The tooltip: the role, the token's origin, the campaigns it may reach. */
  title: string;
}

/** The header's words for the signed-in token; null when the server did not say who it is. */
export function identityOf(user: WhoAmI | null): Identity | null {
  if (user === null) return null;
  const role = user.name.trim().toLowerCase() === user.role ? null : user.role;
  const origin = user.managedByEnvironment ? 'the admin token set when the service was started (TWINLAB_ADMIN_TOKEN)' : `the token “${user.name}”`;
  const reach = user.campaigns === null ? 'every campaign' : `only campaign${user.campaigns.length === 1 ? '' : 's'} ${user.campaigns.map((id) => `#${id}`).join(', ')}`;
  return { name: user.name, role, title: `Signed in with ${origin}; role ${user.role}; reaches ${reach}.` };
}
