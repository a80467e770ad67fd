'use strict';
// Flat TAP, one "ok" line per check, as tests/integration/lib.sh prints it:
// tests/summary.py counts the lines that start a row, so nested subtest
// output (node:test's reporter) would hide the individual checks.

let n = 0;
let failed = 0;

function line(pass, desc, details) {
	n += 1;
	if (!pass)
		failed += 1;
	console.log(`${pass ? 'ok' : 'not ok'} ${n} - ${desc}`);
	if (!pass && details !== undefined)
		diag(typeof details === 'string' ? details : JSON.stringify(details, null, 2));
	return pass;
}

function diag(text) {
	for (const l of String(text).split('\n'))
		console.log(`# ${l}`);
}

function ok(cond, desc, details) {
	return line(Boolean(cond), desc, details);
}

function is(got, want, desc) {
	return line(got === want, desc, `got:  ${JSON.stringify(got)}\nwant: ${JSON.stringify(want)}`);
}

// Runs one group of checks; an exception (a timeout waiting for a page, a
// missing element) is one failed check naming the group, and the run goes
// on with the next group.
async function group(name, fn) {
	diag(name);
	try {
		await fn();
	} catch (err) {
		line(false, `${name}: finished without an error`, err && err.stack ? err.stack : String(err));
	}
}

function done() {
	console.log(`1..${n}`);
	return failed === 0;
}

module.exports = { ok, is, diag, group, done };
