import { getContext, setContext } from 'svelte';
import type { Router } from './router.svelte.js';
import type { Session } from './session.svelte.js';

const APP_CONTEXT = Symbol('twinlab-app');

export interface AppContext {
  session: Session;
  router: Router;
}

/** Makes the session and router available to every component below the root. */
export function setAppContext(context: AppContext): void {
  setContext(APP_CONTEXT, context);
}

/** The session and router set by App.svelte. */
export function getAppContext(): AppContext {
  const context = getContext<AppContext | undefined>(APP_CONTEXT);
  if (!context) throw new Error('getAppContext() called outside App');
  return context;
}
