'use strict';
// Debian's chromium driven by playwright-core through its executable path:
// no browser is ever downloaded. Every context records each request that
// leaves for another host than the server, and aborts it, so that a page
// that tried to load anything from elsewhere fails the check that follows
// and nothing reaches the network.
const fs = require('node:fs');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

async function launch() {
	if (!fs.existsSync(CHROMIUM))
		throw new Error(`no chromium at ${CHROMIUM} (tools/deps.sh installs it)`);
	// The sandbox needs user namespaces, which containers and root lack;
	// the pages under test are our own, so running without it is safe here.
	return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

// A fresh context (no cookies, no history) on the server at base.
// opts.js: whether JavaScript runs; opts.bypassCSP: render without the
// server's Content-Security-Policy, so that only escaping stands between a
// payload and execution; opts.standIns: other hosts answered with a stand-in page
// instead of being refused (the quick exit's destination).
async function open(browser, base, opts = {}) {
	const origin = new URL(base).origin;
	const context = await browser.newContext({
		javaScriptEnabled: opts.js !== false,
		bypassCSP: Boolean(opts.bypassCSP),
		locale: opts.locale || 'en-US',
		viewport: { width: 1024, height: 800 },
	});
	// Generous: a sanitizer build on a busy machine answers slowly, and
	// every wait is on a condition, so a long limit costs nothing when all
	// is well. BROWSER_TIMEOUT_MS shortens it while writing a test.
	const limit = Number(process.env.BROWSER_TIMEOUT_MS) || 120000;
	context.setDefaultTimeout(limit);
	context.setDefaultNavigationTimeout(limit);
	const state = { foreign: [], dialogs: [] };
	const standIns = new Set(opts.standIns || []);
	await context.route('**/*', (route) => {
		const url = route.request().url();
		let host;
		try {
			host = new URL(url);
		} catch (e) {
			return route.abort();
		}
		if (host.origin === origin)
			return route.continue();
		if (standIns.has(host.origin))
			return route.fulfill({ status: 200, contentType: 'text/html',
				body: '<!doctype html><title>Elsewhere</title><p>Elsewhere</p>' });
		state.foreign.push(url);
		return route.abort();
	});
	// A dialog can only come from script the page runs: an injected
	// alert() that executed. Record it and dismiss it so nothing hangs.
	context.on('page', (page) => trapDialogs(page, state));
	const page = await context.newPage();
	trapDialogs(page, state);
	return { context, page, state, origin };
}

function trapDialogs(page, state) {
	if (page.__vigilTrapped)
		return;
	page.__vigilTrapped = true;
	page.on('dialog', (dialog) => {
		state.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
		dialog.dismiss().catch(() => {});
	});
}

module.exports = { launch, open };
