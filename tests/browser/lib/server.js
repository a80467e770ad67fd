'use strict';
// A real vigil server on an ephemeral loopback port with a fresh data
// directory, started the way tests/integration/lib.sh starts it.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

class Server {
	// config: lines appended to vigil.conf after `vigil init`.
	constructor(config = []) {
		this.vigil = process.env.VIGIL;
		if (!this.vigil)
			throw new Error('VIGIL must point at the vigil binary');
		this.work = fs.mkdtempSync(path.join(process.env.TMPDIR || os.tmpdir(), 'vigil-browser.'));
		this.data = path.join(this.work, 'data');
		const out = execFileSync(this.vigil, ['--data', this.data, 'init'], { encoding: 'utf8' });
		const m = /one-time password: ([A-Za-z0-9]+)/.exec(out);
		if (!m)
			throw new Error(`no admin password in: ${out}`);
		this.adminPassword = m[1];
		if (config.length)
			fs.appendFileSync(path.join(this.data, 'vigil.conf'), config.join('\n') + '\n');
		this.proc = null;
		this.base = null;
	}

	// Resolves with the base URL once the server prints "listening on";
	// no time limit of its own, since a sanitizer build on a busy machine
	// starts slowly: meson's test timeout is the bound.
	start() {
		return new Promise((resolve, reject) => {
			const proc = spawn(this.vigil, ['--data', this.data, 'serve', '--listen', '127.0.0.1:0'],
				{ stdio: ['ignore', 'pipe', 'pipe'] });
			this.proc = proc;
			// If the test run itself is stopped (meson's timeout), the
			// server must not outlive it.
			this.onExit = () => proc.kill('SIGKILL');
			process.once('exit', this.onExit);
			let out = '';
			let err = '';
			proc.stdout.setEncoding('utf8');
			proc.stdout.on('data', (chunk) => {
				out += chunk;
				const m = /^listening on (\S+)/m.exec(out);
				if (m && !this.base) {
					this.base = m[1];
					resolve(this.base);
				}
			});
			proc.stderr.setEncoding('utf8');
			proc.stderr.on('data', (chunk) => { err += chunk; });
			proc.on('exit', (code, signal) => {
				this.proc = null;
				process.removeListener('exit', this.onExit);
				if (!this.base)
					reject(new Error(`server exited (${code ?? signal}) before listening: ${err}`));
			});
		});
	}

	async stop() {
		const proc = this.proc;
		if (proc) {
			const exited = new Promise((resolve) => proc.once('exit', resolve));
			proc.kill('SIGTERM');
			await exited;
		}
		fs.rmSync(this.work, { recursive: true, force: true });
	}
}

module.exports = { Server };
