/**
 * Security headers on every response of the service, API and browser app alike. The app loads only its own scripts,
 * styles, images and API, so the policy allows 'self' and nothing else, with two exceptions it needs: inline style
 * attributes (Svelte and Konva set them) and data:/blob: images (canvas exports, overlays). HSTS is left to the
 * reverse proxy that terminates TLS: sent from a plain-HTTP service on 127.0.0.1 it would do nothing or do harm.
 */
import { secureHeaders } from 'hono/secure-headers';

/** The Content-Security-Policy directives of the app. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** The middleware that sets them. */
export function securityHeaders() {
  return secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    strictTransportSecurity: false,
    xFrameOptions: 'DENY',
    // Sign-in URLs carry a token in the query: never hand them to another site as a referrer.
    referrerPolicy: 'no-referrer',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
  });
}
