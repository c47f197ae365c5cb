import { ApiClient, type FetchFunction } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { Role, WhoAmI } from '../api/types.js';
import { roleAllows, type Feature } from './roles.js';

export const TOKEN_STORAGE_KEY = 'twinlab.token';

/** Minimal key-value storage (localStorage in the browser, a Map-backed fake in tests). */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type SessionStatus = 'signed-out' | 'checking' | 'signed-in';

/** Who is signed in: the bearer token (kept in storage), the identity and role from GET /api/whoami. */
export class Session {
  token: string | null = $state(null);
  user: WhoAmI | null = $state(null);
  status: SessionStatus = $state('signed-out');
  error: string | null = $state(null);
  /** False when the server has no /api/whoami yet: the role is then unknown and navigation shows everything. */
  roleKnown = $state(true);
  readonly role: Role | null = $derived(this.user?.role ?? null);
  readonly api: ApiClient;
  private readonly storage: TokenStorage;

  constructor(storage: TokenStorage, fetchFunction?: FetchFunction) {
    this.storage = storage;
    this.token = storage.getItem(TOKEN_STORAGE_KEY);
    this.api = new ApiClient({ getToken: () => this.token, onUnauthorized: () => this.handleUnauthorized(), fetch: fetchFunction });
  }

  /** Whether the signed-in role may use a feature. */
  can(feature: Feature): boolean {
    return roleAllows(this.role, feature);
  }

  /** Takes `?token=` from a sign-in URL: returns the token and the URL without it (to replace in history). */
  static takeTokenFromUrl(href: string): { token: string | null; cleanUrl: string } {
    const url = new URL(href);
    const token = url.searchParams.get('token');
    if (token === null) return { token: null, cleanUrl: href };
    url.searchParams.delete('token');
    return { token: token.trim() || null, cleanUrl: url.pathname + url.search + url.hash };
  }

  /** Stores a token and checks it against the server; on 401 the token is dropped and an error shown. */
  async signIn(token: string): Promise<boolean> {
    this.token = token.trim();
    this.storage.setItem(TOKEN_STORAGE_KEY, this.token);
    return this.refresh();
  }

  /** Re-reads the identity of the stored token. */
  async refresh(): Promise<boolean> {
    if (!this.token) {
      this.status = 'signed-out';
      return false;
    }
    this.status = 'checking';
    this.error = null;
    try {
      this.user = await this.api.whoami();
      this.roleKnown = true;
      this.status = 'signed-in';
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.isNotFound) return this.verifyWithoutWhoami();
      return this.fail(error);
    }
  }

  /** Forgets the token. */
  signOut(): void {
    this.token = null;
    this.user = null;
    this.status = 'signed-out';
    this.storage.removeItem(TOKEN_STORAGE_KEY);
  }

  /** Older servers without /api/whoami: a token that can list campaigns is valid, its role is unknown. */
  private async verifyWithoutWhoami(): Promise<boolean> {
    try {
      await this.api.listCampaigns();
      this.user = null;
      this.roleKnown = false;
      this.status = 'signed-in';
      return true;
    } catch (error) {
      return this.fail(error);
    }
  }

  /** Records a failed sign-in; a refused token is removed from storage. */
  private fail(error: unknown): false {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      this.signOut();
      this.error = 'This token was not accepted. Ask an admin for a new sign-in link.';
    } else {
      this.status = 'signed-out';
      this.error = error instanceof Error ? error.message : String(error);
    }
    return false;
  }

  /** A 401 on any call means the token was revoked: sign out so the app shows the sign-in page. */
  private handleUnauthorized(): void {
    if (this.status === 'signed-in') {
      this.signOut();
      this.error = 'Your token is no longer valid. Sign in again.';
    }
  }
}
