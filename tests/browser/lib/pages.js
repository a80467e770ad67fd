'use strict';
// Helpers shared by the browser tests: visiting a page with the checks
// every page gets, screenshots as artefacts, the report form, staff sign-in.
const fs = require('node:fs');
const path = require('node:path');
const { ok, is } = require('./tap');

const RECEIPT = /\d{5} \d{5} \d{5} \d{5} \d{5}/;

// A narrative the screen marks: documents taken, a debt, a minor, no
// leaving. Synthetic, like all test data.
const EVIDENCE_NARRATIVE = 'The manager took their passports and says they owe a debt of 5000 ' +
	'dollars. A girl who looks 15 is made to see men at night and is never allowed to leave.';

// Asserts that no request so far in this context went to another host.
function noForeign(ctx, what) {
	ok(ctx.state.foreign.length === 0, `${what}: no request to any host but the server`,
		ctx.state.foreign.join('\n'));
	ctx.state.foreign.length = 0;
}

// Goes to path and checks the status and that nothing came from elsewhere.
async function visit(ctx, p, what, status = 200) {
	const res = await ctx.page.goto(ctx.origin + p, { waitUntil: 'load' });
	is(res ? res.status() : 0, status, `${what}: ${p} answers ${status}`);
	noForeign(ctx, what);
	return res;
}

// Waits for the navigation a click or key starts, then checks the new page.
async function navigating(ctx, action, what, status = 200) {
	const [res] = await Promise.all([ctx.page.waitForNavigation({ waitUntil: 'load' }), action()]);
	is(res ? res.status() : 0, status, `${what}: answers ${status}`);
	noForeign(ctx, what);
	return res;
}

function artefacts() {
	const dir = process.env.ARTEFACTS || path.join(process.cwd(), 'browser-artefacts');
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

async function shot(page, name) {
	const file = path.join(artefacts(), `${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	ok(fs.statSync(file).size > 0, `screenshot ${name}.png saved`);
}

// Fills the report form from fields (name -> value; danger_now "yes"/"no")
// and sends it, expecting status (201: a tip was created); returns the
// receipt shown, or null.
async function sendReport(ctx, fields, what, status = 201) {
	const page = ctx.page;
	for (const [name, value] of Object.entries(fields)) {
		if (name === 'danger_now')
			await page.check(`#danger_now_${value}`);
		else if (name === 'country' || name === 'language')
			await page.selectOption(`#${name}`, value);
		else
			await page.fill(`#${name}`, value);
	}
	await navigating(ctx, () => page.click('button[type=submit]'), what, status);
	const text = await page.textContent('.receipt').catch(() => null);
	const m = text ? RECEIPT.exec(text) : null;
	return m ? m[0] : null;
}

// Signs in as admin. The first time, with the one-time password that
// must be changed (as tests/integration/staff.sh does it); afterwards with
// the new password kept in env.
async function staffSignIn(ctx, env) {
	const page = ctx.page;
	await visit(ctx, '/staff/login', 'the sign-in page');
	await page.fill('#name', 'admin');
	await page.fill('#password', env.staffPassword || env.server.adminPassword);
	await navigating(ctx, () => page.click('form[action="/staff/login"] button[type=submit]'), 'signing in');
	if (env.staffPassword)
		return;
	is(new URL(page.url()).pathname, '/staff/password', 'the one-time password leads to the new-password form');
	env.staffPassword = 'browser-admin-password-1';
	await page.fill('#current', env.server.adminPassword);
	await page.fill('#password', env.staffPassword);
	await page.fill('#confirm', env.staffPassword);
	// The staff header's sign-out button is also a submit button.
	await navigating(ctx, () => page.click('form[action="/staff/password"] button[type=submit]'),
		'choosing a new password');
	is(new URL(page.url()).pathname, '/staff', 'the new password leads to the queue');
}

module.exports = { RECEIPT, EVIDENCE_NARRATIVE, noForeign, visit, navigating, shot, sendReport, staffSignIn };
