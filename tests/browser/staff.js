'use strict';
// Staff in a real browser: the one-time password flow, the queue, and a
// tip with the evidence the screen marked in the reporter's words.
const { ok, is } = require('./lib/tap');
const { open } = require('./lib/browser');
const { EVIDENCE_NARRATIVE, visit, navigating, shot, sendReport, staffSignIn } = require('./lib/pages');

async function tipView(env) {
	const reporter = await open(env.browser, env.base);
	try {
		await visit(reporter, '/report', 'the report form');
		ok(await sendReport(reporter, { narrative: EVIDENCE_NARRATIVE, danger_now: 'yes', country: 'US' },
			'sending a tip with indicators'), 'the tip with indicators is received');
	} finally {
		await reporter.context.close();
	}

	const ctx = await open(env.browser, env.base);
	try {
		const page = ctx.page;
		await staffSignIn(ctx, env);
		is(await page.textContent('h1'), 'Queue', 'the queue is shown after sign-in');
		await shot(page, 'staff-queue');
		const link = page.locator('.tips li', { hasText: 'took their passports' }).locator('a').first();
		await navigating(ctx, () => link.click(), 'opening the tip');
		ok(/^\/staff\/tips\/[0-9a-f]+$/.test(new URL(page.url()).pathname), 'the tip has its own page', page.url());
		ok((await page.textContent('.narrative')).includes('took their passports'), 'the tip shows the narrative');
		ok(await page.$('.alert-danger'), 'the tip says someone is in danger now');
		const marks = await page.$$eval('.narrative mark', (els) => els.map((el) => el.textContent));
		ok(marks.some((m) => m.includes('took their passports')), 'the evidence is marked in the narrative', marks);
		const evidence = await page.$$eval('ul.evidence li', (els) => els.map((el) => el.textContent));
		ok(evidence.some((e) => e.includes('owe a debt')), 'the evidence list quotes the debt', evidence);
		ok(evidence.some((e) => e.includes('never allowed to leave')), 'the evidence list quotes the restraint', evidence);
		ok((await page.textContent('section.screening')).includes('A minor involved'), 'the screening section is shown');
		await shot(page, 'staff-tip');
	} finally {
		await ctx.context.close();
	}
}

module.exports = { tipView };
