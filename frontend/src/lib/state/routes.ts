// The app's routes as data: parse a pathname into a Route and build hrefs from one. Pure, so the
// mapping is unit-tested; the Router rune class only tracks the current location.

export type Route =
  | { name: 'campaigns' }
  | { name: 'campaign-new' }
  | { name: 'campaign'; campaignId: string }
  | { name: 'label'; campaignId: string; assetId?: string }
  | { name: 'experiments'; campaignId: string }
  | { name: 'models'; campaignId: string }
  | { name: 'tokens' }
  | { name: 'signin' }
  | { name: 'not-found'; path: string };

/** Maps a pathname to its route. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'campaigns')) return { name: 'campaigns' };
  if (parts[0] === 'signin' && parts.length === 1) return { name: 'signin' };
  if (parts[0] === 'tokens' && parts.length === 1) return { name: 'tokens' };
  if (parts[0] === 'campaigns') {
    if (parts[1] === 'new' && parts.length === 2) return { name: 'campaign-new' };
    const campaignId = parts[1];
    if (parts.length === 2) return { name: 'campaign', campaignId };
    if (parts[2] === 'label' && parts.length <= 4) return parts[3] ? { name: 'label', campaignId, assetId: parts[3] } : { name: 'label', campaignId };
    if (parts[2] === 'experiments' && parts.length === 3) return { name: 'experiments', campaignId };
    if (parts[2] === 'models' && parts.length === 3) return { name: 'models', campaignId };
  }
  return { name: 'not-found', path: pathname };
}

/** The pathname of a route (inverse of parseRoute). */
export function hrefOf(route: Route): string {
  const c = (id: string) => `/campaigns/${encodeURIComponent(id)}`;
  switch (route.name) {
    case 'campaigns':
      return '/';
    case 'campaign-new':
      return '/campaigns/new';
    case 'campaign':
      return c(route.campaignId);
    case 'label':
      return route.assetId ? `${c(route.campaignId)}/label/${encodeURIComponent(route.assetId)}` : `${c(route.campaignId)}/label`;
    case 'experiments':
      return `${c(route.campaignId)}/experiments`;
    case 'models':
      return `${c(route.campaignId)}/models`;
    case 'tokens':
      return '/tokens';
    case 'signin':
      return '/signin';
    case 'not-found':
      return route.path;
  }
}
