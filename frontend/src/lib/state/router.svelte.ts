import { parseRoute, type Route } from './routes.js';

/** The current route, following the History API (the backend answers every non-/api path with index.html). */
export class Router {
  path = $state(typeof location === 'undefined' ? '/' : location.pathname);
  route: Route = $derived(parseRoute(this.path));

  /** Starts following back/forward and same-origin link clicks; returns a function that stops it. */
  listen(): () => void {
    const onPopState = () => (this.path = location.pathname);
    const onClick = (event: MouseEvent) => this.interceptLink(event);
    window.addEventListener('popstate', onPopState);
    document.addEventListener('click', onClick);
    return () => {
      window.removeEventListener('popstate', onPopState);
      document.removeEventListener('click', onClick);
    };
  }

  /**
   * Goes to a pathname, adding a history entry (or replacing the current one). `inPlace`: the same page shows other
   * content (the next slice of a volume), so scroll position and focus stay where they are.
   */
  navigate(path: string, options: { replace?: boolean; inPlace?: boolean } = {}): void {
    if (options.replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    this.path = location.pathname;
    if (options.inPlace) return;
    window.scrollTo(0, 0);
    // Screen readers and keyboard users continue from the new page's content, not from the old link.
    document.getElementById('main')?.focus({ preventScroll: true });
  }

  /** Turns a plain left click on an in-app <a href="/..."> into a client-side navigation. */
  private interceptLink(event: MouseEvent): void {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const href = anchor.getAttribute('href');
    if (!href || !href.startsWith('/') || href.startsWith('/api/') || href.startsWith('//')) return;
    event.preventDefault();
    this.navigate(href);
  }
}
