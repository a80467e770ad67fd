'use strict';
// vigil's browser tests: one real server (and a second one with a tiny
// global submission limit, for the 429 page), Debian's chromium, flat TAP.
const { group, done } = require('./lib/tap');
const { launch } = require('./lib/browser');
const { Server } = require('./lib/server');
const flows = require('./flows');
const staff = require('./staff');
const xss = require('./xss');
const a11y = require('./a11y');

async function main() {
	const server = new Server(['[server]', `quick_exit_url = ${flows.EXIT_ORIGIN}/`]);
	const limited = new Server(['[limits]', 'submit_window = 3600', 'submit_max = 1']);
	let browser = null;
	let bailed = false;
	try {
		const base = await server.start();
		const throttledBase = await limited.start();
		browser = await launch();
		const env = { browser, base, server, throttledBase };

		for (const js of [false, true]) {
			const mode = js ? 'with JavaScript' : 'without JavaScript';
			let receipt = null;
			await group(`the report flow ${mode}`, async () => { receipt = await flows.report(env, js); });
			if (receipt)
				await group(`the receipt check ${mode}`, () => flows.check(env, receipt, js));
			await group(`the quick exit ${mode}`, () => flows.quickExit(env, js));
			await group(`the help finder ${mode}`, () => flows.helpFinder(env, js));
		}
		await group('staff sign-in and the tip view', () => staff.tipView(env));
		await group('script payloads stay inert', () => xss.run(env));
		for (const lang of ['en', 'es']) {
			await group(`axe on every public page (${lang})`, () => a11y.pages(env, lang));
			await group(`axe on the 429 page (${lang})`, () => a11y.throttled(env, lang));
		}
		await group('the report form by keyboard alone', () => a11y.keyboard(env));
	} catch (err) {
		// A server or the browser that cannot start: nothing else can run.
		console.log(`Bail out! ${err && err.message ? err.message.split('\n')[0] : String(err)}`);
		bailed = true;
	} finally {
		if (browser)
			await browser.close();
		await server.stop();
		await limited.stop();
	}
	process.exitCode = done() && !bailed ? 0 : 1;
}

// A signal (meson's timeout, ^C) ends the run through process.exit, so
// that the servers' exit hooks stop them.
for (const sig of ['SIGINT', 'SIGTERM'])
	process.on(sig, () => process.exit(1));

main();
