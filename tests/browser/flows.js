'use strict';
// The public flows in a real browser: the report with JavaScript off and
// on, the receipt check and adding information, the quick exit, the help
// finder.
const { ok, is } = require('./lib/tap');
const { open } = require('./lib/browser');
const { visit, navigating, shot, sendReport } = require('./lib/pages');

// The quick exit's destination in these tests (configured in main.js);
// the browser answers it with a stand-in page, so nothing leaves the machine.
const EXIT_ORIGIN = 'https://exit.example';

async function report(env, js) {
	const mode = js ? 'with JavaScript' : 'without JavaScript';
	const ctx = await open(env.browser, env.base, { js });
	try {
		const page = ctx.page;
		await visit(ctx, '/report', `the report form ${mode}`);
		// An empty narrative is stopped by the browser itself ("required");
		// a blank one reaches the server, which sends the form back with
		// the field marked and what was typed kept.
		ok(await page.$eval('#narrative', (el) => el.validity.valueMissing),
			`${mode}: the browser asks for the narrative before sending`);
		await page.fill('#narrative', '   ');
		await page.fill('#city', 'Springfield');
		await navigating(ctx, () => page.click('button[type=submit]'),
			`a blank narrative ${mode}`, 422);
		ok(await page.$('#narrative[aria-invalid="true"]'), `${mode}: the refused field is marked`);
		is(await page.inputValue('#city'), 'Springfield', `${mode}: what was typed is kept`);
		await shot(page, js ? 'report-refused' : 'report-refused-nojs');
		const receipt = await sendReport(ctx, {
			narrative: `A synthetic browser test tip sent ${mode}.`,
			danger_now: 'no',
			country: 'US',
			city: 'Springfield',
			contact: 'Call 555-0142 after six',
		}, `sending a report ${mode}`);
		ok(receipt, `${mode}: the receipt is shown`, await page.content());
		is(await page.textContent('h1'), 'Thank you. Your report was sent.',
			`${mode}: the thank-you page says the report was sent`);
		ok(await page.$('.hotlines li'), `${mode}: the receipt page lists help lines`);
		await shot(page, js ? 'receipt' : 'receipt-nojs');
		return receipt;
	} finally {
		await ctx.context.close();
	}
}

async function check(env, receipt, js) {
	const mode = js ? 'with JavaScript' : 'without JavaScript';
	const ctx = await open(env.browser, env.base, { js });
	try {
		const page = ctx.page;
		await visit(ctx, '/check', `the check form ${mode}`);
		await shot(page, js ? 'check' : 'check-nojs');
		await page.fill('#receipt', '00000 00000 00000 00000 00000');
		await navigating(ctx, () => page.click('button[type=submit]'), `a wrong receipt ${mode}`, 404);
		ok(await page.$('#receipt-error'), `${mode}: a wrong receipt is refused with a message`);
		// Spaces do not matter: the digits alone open the report.
		await page.fill('#receipt', receipt.replace(/ /g, ''));
		await navigating(ctx, () => page.click('button[type=submit]'), `the receipt ${mode}`);
		is(await page.textContent('h1'), 'Your report', `${mode}: the receipt opens the status page`);
		ok((await page.textContent('dl.facts')).includes('Status'), `${mode}: the status page shows the status`);
		await shot(page, js ? 'status' : 'status-nojs');
		const note = `More information sent ${mode}: a blue van, plate 555-0177.`;
		await page.fill('#message', note);
		await navigating(ctx, () => page.click('form[action="/check/add"] button[type=submit]'),
			`adding information ${mode}`);
		ok(await page.$('.alert-ok'), `${mode}: adding information is confirmed`);
		ok((await page.textContent('main')).includes(note), `${mode}: what was added is shown`);
	} finally {
		await ctx.context.close();
	}
}

async function quickExit(env, js) {
	const mode = js ? 'with JavaScript' : 'without JavaScript';
	const ctx = await open(env.browser, env.base, { js, standIns: [EXIT_ORIGIN] });
	try {
		const page = ctx.page;
		await visit(ctx, '/', `the home page ${mode}`);
		await visit(ctx, '/report', `the report form ${mode}`);
		// The quick exit is the first thing a keyboard reaches.
		await page.keyboard.press('Tab');
		is(await page.evaluate(() => document.activeElement && document.activeElement.id), 'quick-exit',
			`${mode}: the quick exit is the first Tab stop`);
		const before = await page.evaluate(() => history.length);
		await Promise.all([page.waitForURL(`${EXIT_ORIGIN}/**`, { waitUntil: 'load' }),
			page.click('#quick-exit')]);
		is(new URL(page.url()).origin, EXIT_ORIGIN, `${mode}: the quick exit leaves the site`);
		ok(ctx.state.foreign.length === 0, `${mode}: the quick exit sends nothing to another host but its destination`,
			ctx.state.foreign.join('\n'));
		const after = await page.evaluate(() => history.length);
		if (js) {
			is(after, before, 'with JavaScript: the quick exit replaces the current history entry');
			await page.goBack({ waitUntil: 'load' });
			ok(new URL(page.url()).pathname !== '/report',
				'with JavaScript: Back does not return to the page that was left', page.url());
			// Three presses of Escape leave the same way.
			await visit(ctx, '/help', 'the help page with JavaScript');
			await Promise.all([page.waitForURL(`${EXIT_ORIGIN}/**`, { waitUntil: 'load' }), (async () => {
				for (let i = 0; i < 3; i++)
					await page.keyboard.press('Escape');
			})()]);
			is(new URL(page.url()).origin, EXIT_ORIGIN, 'with JavaScript: Escape three times leaves the site');
		} else {
			is(after, before + 1, 'without JavaScript: the link is followed as a plain link');
		}
	} finally {
		await ctx.context.close();
	}
}

async function helpFinder(env, js) {
	const mode = js ? 'with JavaScript' : 'without JavaScript';
	const ctx = await open(env.browser, env.base, { js });
	try {
		const page = ctx.page;
		await visit(ctx, '/help', `the help page ${mode}`);
		ok((await page.$$('.hotlines li')).length > 0, `${mode}: the help page lists lines for the default country`);
		await page.selectOption('#country', 'ES');
		await navigating(ctx, () => page.click('form.filter button[type=submit]'), `choosing Spain ${mode}`);
		is(new URL(page.url()).searchParams.get('country'), 'ES', `${mode}: the country is in the address`);
		ok((await page.textContent('main h2')).includes('Spain'), `${mode}: the lines are headed with the country`);
		const lines = await page.$$eval('.hotlines li', (els) => els.map((el) => ({
			emergency: el.classList.contains('hotline-emergency'),
			text: el.textContent,
			calls: Array.from(el.querySelectorAll('a[href^="tel:"]')).map((a) => a.getAttribute('href')),
		})));
		ok(lines.length >= 2, `${mode}: Spain's lines are listed`, lines);
		ok(lines[0] && lines[0].emergency, `${mode}: the emergency number comes first`, lines[0]);
		ok(lines.some((l) => l.calls.includes('tel:112')), `${mode}: 112 is a link that calls`, lines);
		ok(lines.some((l) => /trafficking/i.test(l.text)), `${mode}: the trafficking helpline is listed`);
		await shot(page, js ? 'help-es' : 'help-es-nojs');
	} finally {
		await ctx.context.close();
	}
}

module.exports = { EXIT_ORIGIN, report, check, quickExit, helpFinder };
