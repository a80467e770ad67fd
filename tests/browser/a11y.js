'use strict';
// Accessibility: axe-core run inside every public page, in English and in
// Spanish, must find no serious or critical violation; and the report form
// can be completed with the keyboard alone.
const fs = require('node:fs');
const { ok, is, diag } = require('./lib/tap');
const { open } = require('./lib/browser');
const { visit, navigating, sendReport, shot } = require('./lib/pages');

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Runs axe in the page as it is now. axe is evaluated through the
// DevTools protocol rather than added as a <script>, which the server's
// Content-Security-Policy (rightly) refuses.
async function audit(ctx, what) {
	const page = ctx.page;
	await page.evaluate(AXE);
	const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	const minor = result.violations.filter((v) => !bad.includes(v));
	ok(bad.length === 0, `${what}: axe finds no serious or critical violation`,
		bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`).join('\n'));
	if (minor.length)
		diag(`${what}: lesser findings: ${minor.map((v) => `${v.impact} ${v.id} at ` +
			v.nodes.map((n) => n.target.join(' ')).join(', ')).join('; ')}`);
}

// Every public page in one language, reached as a visitor reaches it.
async function pages(env, lang) {
	const ctx = await open(env.browser, env.base, { locale: lang === 'es' ? 'es-ES' : 'en-US' });
	const page = ctx.page;
	const L = `(${lang})`;
	try {
		// ?lang= sets the language cookie the later pages (and posts) use.
		await visit(ctx, `/?lang=${lang}`, `the home page ${L}`);
		is(await page.getAttribute('html', 'lang'), lang, `the home page is in ${lang}`);
		await audit(ctx, `the home page ${L}`);
		await shot(page, `home-${lang}`);
		await visit(ctx, '/report', `the report form ${L}`);
		is(await page.getAttribute('html', 'lang'), lang, `the report form is in ${lang}`);
		await audit(ctx, `the report form ${L}`);
		await page.fill('#narrative', '  ');
		await navigating(ctx, () => page.click('button[type=submit]'), `the refused report ${L}`, 422);
		await audit(ctx, `the refused report form with its errors ${L}`);
		const receipt = await sendReport(ctx, { narrative: `Accessibility test tip (${lang}).`, danger_now: 'yes',
			country: lang === 'es' ? 'ES' : 'US' }, `sending a report ${L}`);
		ok(receipt, `the receipt is shown ${L}`);
		await audit(ctx, `the receipt page ${L}`);
		await shot(page, `receipt-${lang}`);
		await visit(ctx, '/check', `the check form ${L}`);
		await audit(ctx, `the check form ${L}`);
		await page.fill('#receipt', '11111 11111 11111 11111 11111');
		await navigating(ctx, () => page.click('button[type=submit]'), `a wrong receipt ${L}`, 404);
		await audit(ctx, `the wrong-receipt page ${L}`);
		await page.fill('#receipt', receipt);
		await navigating(ctx, () => page.click('button[type=submit]'), `the status page ${L}`);
		await audit(ctx, `the status page ${L}`);
		await page.fill('#message', '');
		await page.$eval('#message', (el) => el.removeAttribute('required'));
		await navigating(ctx, () => page.click('form[action="/check/add"] button[type=submit]'),
			`an empty addition ${L}`, 422);
		await audit(ctx, `the status page with its error ${L}`);
		await visit(ctx, '/help', `the help page ${L}`);
		await audit(ctx, `the help page ${L}`);
		await visit(ctx, '/help?country=ES', `the help page for Spain ${L}`);
		await audit(ctx, `the help page for Spain ${L}`);
		await shot(page, `help-${lang}`);
		await visit(ctx, '/no-such-page', `a missing page ${L}`, 404);
		await audit(ctx, `the 404 page ${L}`);
		await shot(page, `404-${lang}`);
		await visit(ctx, '/staff/login', `the staff sign-in page ${L}`);
		await audit(ctx, `the staff sign-in page ${L}`);
	} finally {
		await ctx.context.close();
	}
}

// The 429 page, from a server that accepts one tip an hour: reports are
// sent until one is refused, and that refusal still lists the help lines.
async function throttled(env, lang) {
	const ctx = await open(env.browser, env.throttledBase);
	const page = ctx.page;
	const L = `(${lang})`;
	try {
		await visit(ctx, `/report?lang=${lang}`, `the report form of the throttled server ${L}`);
		let status = 0;
		for (let i = 0; i < 3 && status !== 429; i++) {
			await page.fill('#narrative', `Throttle test tip ${i} (${lang}).`);
			const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
				page.click('button[type=submit]')]);
			status = res ? res.status() : 0;
			if (status !== 429)
				await visit(ctx, '/report', `the report form again ${L}`);
		}
		is(status, 429, `a report over the global limit is refused with 429 ${L}`);
		is(await page.getAttribute('html', 'lang'), lang, `the 429 page is in ${lang}`);
		ok(await page.$('.hotlines li'), `the 429 page lists the help lines ${L}`);
		await audit(ctx, `the 429 page ${L}`);
		await shot(page, `429-${lang}`);
	} finally {
		await ctx.context.close();
	}
}

// The report form with Tab, Space, Enter and typed text only: no clicks.
async function keyboard(env) {
	const ctx = await open(env.browser, env.base);
	const page = ctx.page;
	const focused = () => page.evaluate(() => {
		const el = document.activeElement;
		return el ? (el.id || el.getAttribute('name') || el.tagName.toLowerCase()) : '';
	});
	// Presses Tab until the element with id is focused, at most 60 times;
	// each stop on the way must be visible to a sighted keyboard user.
	const tabTo = async (id) => {
		for (let i = 0; i < 60; i++) {
			await page.keyboard.press('Tab');
			const box = await page.evaluate(() => {
				const r = document.activeElement && document.activeElement.getBoundingClientRect();
				return r ? r.width * r.height : 0;
			});
			if (box === 0)
				throw new Error(`an invisible Tab stop before ${id}: ${await focused()}`);
			if (await focused() === id)
				return true;
		}
		return false;
	};
	try {
		await visit(ctx, '/report', 'the report form for the keyboard');
		ok(await tabTo('narrative'), 'Tab reaches the narrative');
		await page.keyboard.type('Typed with the keyboard alone: a synthetic tip.');
		ok(await tabTo('danger_now_yes'), 'Tab reaches the danger question');
		await page.keyboard.press('Space');
		ok(await page.isChecked('#danger_now_yes'), 'Space answers it');
		ok(await tabTo('city'), 'Tab reaches the city');
		await page.keyboard.type('Springfield');
		ok(await tabTo('may_contact'), 'Tab reaches the contact permission');
		await page.keyboard.press('Space');
		ok(await page.isChecked('#may_contact'), 'Space ticks it');
		let reached = false;
		for (let i = 0; i < 10 && !reached; i++) {
			await page.keyboard.press('Tab');
			reached = await page.evaluate(() => document.activeElement &&
				document.activeElement.matches('form[action="/report"] button[type=submit]'));
		}
		ok(reached, 'Tab reaches the send button');
		await navigating(ctx, () => page.keyboard.press('Enter'), 'Enter sends the report', 201);
		ok(/\d{5} \d{5} \d{5} \d{5} \d{5}/.test(await page.textContent('.receipt')),
			'the keyboard-only report gets its receipt');
	} finally {
		await ctx.context.close();
	}
}

module.exports = { pages, throttled, keyboard };
