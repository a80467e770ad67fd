#!/bin/sh
# Runs the browser tests (TAP on stdout). Installs the pinned npm packages
# with `npm ci` when node_modules is missing or was installed from another
# package-lock.json; never downloads a browser (Debian's chromium is used).
set -u
: "${VIGIL:?VIGIL must point at the vigil binary}"
: "${SRCDIR:?SRCDIR must point at the source tree}"
dir="$SRCDIR/tests/browser"
stamp="$dir/node_modules/.vigil-package-lock.json"

for tool in node npm; do
	command -v "$tool" >/dev/null || { echo "Bail out! $tool is missing (tools/deps.sh installs it)"; exit 1; }
done

if ! cmp -s "$dir/package-lock.json" "$stamp"; then
	# npm's output goes to stderr: stdout is TAP.
	(cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >&2) ||
		{ echo "Bail out! npm ci failed in $dir"; exit 1; }
	cp "$dir/package-lock.json" "$stamp"
fi

exec node "$dir/main.js"
