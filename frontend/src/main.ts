import { mount } from 'svelte';
import App from './App.svelte';
import { Router } from './lib/state/router.svelte.js';
import { Session } from './lib/state/session.svelte.js';
import './app.css';

// A sign-in URL (`/?token=...`, printed by the server) signs in directly; the token is then removed
// from the address bar and history so it does not leak through bookmarks or screen shares.
const { token, cleanUrl } = Session.takeTokenFromUrl(location.href);
if (token !== null) history.replaceState(null, '', cleanUrl);

const session = new Session(localStorage);
const router = new Router();
if (token !== null) void session.signIn(token);
else void session.refresh();

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');
mount(App, { target, props: { session, router } });
