'use strict';
// A script payload in every free-text field of the report form, and in the
// messages both ways, must stay text in every page that shows it. The
// contexts bypass the server's Content-Security-Policy: the policy is a
// second wall, and this test proves the first one (escaping) alone holds.
// Execution is detected two ways: a dialog (the payloads call alert) and
// an element the payload would have created.
const { ok, is } = require('./lib/tap');
const { open } = require('./lib/browser');
const { visit, navigating, shot, sendReport, staffSignIn } = require('./lib/pages');

const FIELDS = ['narrative', 'region', 'city', 'place', 'when', 'people', 'ages', 'contact'];

function payload(tag) {
	return `<script>alert("${tag}")</script>"'><img src=x id=xss-${tag} onerror=alert("${tag}")>` +
		`<svg id=xss-svg-${tag} onload=alert("${tag}")></svg></textarea><b id=xss-b-${tag}>`;
}

// Checks one page: no dialog so far, none of the payloads' elements or
// inline scripts in the document, and the payload visible as text.
async function inert(ctx, what, tags) {
	const page = ctx.page;
	const found = await page.evaluate(() => ({
		injected: Array.from(document.querySelectorAll('[id^="xss-"]')).map((el) => el.outerHTML),
		inline: Array.from(document.querySelectorAll('script:not([src])')).map((el) => el.outerHTML),
		text: document.body.innerText + Array.from(document.querySelectorAll('input, textarea'))
			.map((el) => el.value).join('\n'),
	}));
	ok(ctx.state.dialogs.length === 0, `${what}: no payload ran (no dialog)`, ctx.state.dialogs);
	ok(found.injected.length === 0, `${what}: no injected element exists`, found.injected);
	ok(found.inline.length === 0, `${what}: no inline script exists`, found.inline);
	const missing = tags.filter((t) => !found.text.includes(`<script>alert("${t}")</script>`));
	ok(missing.length === 0, `${what}: each payload is shown as text`, missing);
}

async function run(env) {
	const ctx = await open(env.browser, env.base, { bypassCSP: true });
	const staff = await open(env.browser, env.base, { bypassCSP: true });
	try {
		const page = ctx.page;
		await visit(ctx, '/report', 'the report form for the payloads');
		const fields = { danger_now: 'no', country: 'US' };
		for (const f of FIELDS)
			fields[f] = payload(f);

		// Refused (blank narrative): the form comes back with every value.
		fields.narrative = '  ';
		await sendReport(ctx, fields, 'the payloads with a blank narrative', 422);
		await inert(ctx, 'the refused form', FIELDS.filter((f) => f !== 'narrative'));
		for (const f of FIELDS.filter((x) => x !== 'narrative'))
			is(await page.inputValue(`#${f}`), payload(f), `the refused form keeps ${f} exactly`);

		fields.narrative = `XSS test tip. ${payload('narrative')}`;
		const receipt = await sendReport(ctx, fields, 'the payloads in every field');
		ok(receipt, 'the tip with the payloads is received');
		ok(ctx.state.dialogs.length === 0, 'the receipt page: no payload ran');

		await visit(ctx, '/check', 'the check form');
		await page.fill('#receipt', receipt);
		await navigating(ctx, () => page.click('button[type=submit]'), 'opening the report');
		await page.fill('#message', payload('message'));
		await navigating(ctx, () => page.click('form[action="/check/add"] button[type=submit]'),
			'adding the payload as information');
		await inert(ctx, "the reporter's status page", ['message']);

		await staffSignIn(staff, env);
		await inert(staff, 'the queue', ['narrative']);
		const link = staff.page.locator('.tips li', { hasText: 'XSS test tip.' }).locator('a').first();
		await navigating(staff, () => link.click(), 'opening the tip with the payloads');
		await inert(staff, 'the staff tip view', [...FIELDS, 'message']);
		await shot(staff.page, 'staff-tip-xss');

		await staff.page.fill('form[action$="/reply"] #message', payload('reply'));
		await navigating(staff, () => staff.page.click('form[action$="/reply"] button[type=submit]'),
			'replying with the payload');
		await inert(staff, 'the staff tip view after the reply', ['reply']);
		await visit(ctx, '/check', 'the check form again');
		await page.fill('#receipt', receipt);
		await navigating(ctx, () => page.click('button[type=submit]'), 'opening the report again');
		await inert(ctx, "the reporter's status page with the reply", ['message', 'reply']);
	} finally {
		await ctx.context.close();
		await staff.context.close();
	}
}

module.exports = { run };
