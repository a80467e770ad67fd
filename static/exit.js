/*
 * Quick exit. The link works without JavaScript; with it, leaving replaces
 * the current history entry, so the Back button does not return here.
 * Pressing Escape three times within two seconds leaves the same way.
 */
(function () {
	'use strict';

	var link = document.getElementById('quick-exit');
	var presses = [];

	if (!link)
		return;

	function leave() {
		window.location.replace(link.href);
	}

	link.addEventListener('click', function (event) {
		event.preventDefault();
		leave();
	});

	document.addEventListener('keydown', function (event) {
		var now = Date.now();

		if (event.key !== 'Escape' && event.key !== 'Esc')
			return;
		presses = presses.filter(function (t) {
			return now - t < 2000;
		});
		presses.push(now);
		if (presses.length >= 3)
			leave();
	});
}());
