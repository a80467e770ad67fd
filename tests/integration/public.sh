#!/bin/sh
# The public site: pages, the report form, receipts, checking a report,
# languages, and the headers every response carries.
. "$SRCDIR/tests/integration/lib.sh"
vigil_init
vigil_start

for p in / /report /check /help; do
	code=$(req GET "$p")
	is "GET $p is 200" "$code" 200
	check "GET $p has the quick exit" grep -q 'id="quick-exit"' "$WORK/body"
	check "GET $p has a strict CSP without inline script" \
		sh -c "grep -qi \"^content-security-policy: default-src 'none'; script-src 'self'\" '$WORK/headers'"
	is "GET $p sends nosniff" "$(header X-Content-Type-Options)" nosniff
	is "GET $p sends no-referrer" "$(header Referrer-Policy)" no-referrer
	is "GET $p denies framing" "$(header X-Frame-Options)" DENY
	is "GET $p is never cached" "$(header Cache-Control)" no-store
	# Links may lead elsewhere (the quick exit, a help line's web site), but
	# nothing is loaded from another host and no form posts to one.
	check "GET $p loads nothing from another host" \
		sh -c "! grep -Eo '(src=|<link[^>]*href=|action=)\"(https?:)?//[^\"]*\"' '$WORK/body' | grep -q ."
	check "GET $p has no inline script" sh -c "! grep -Eq '<script>|<script [^>]*>[^<]' '$WORK/body' && ! grep -q ' on[a-z]*=\"' '$WORK/body'"
done

code=$(req GET /static/style.css)
is "the stylesheet is served" "$code" 200
is "the stylesheet is text/css" "$(header Content-Type)" "text/css; charset=utf-8"
is "an unknown asset is 404" "$(req GET /static/nope.js)" 404
is "an unknown page is 404" "$(req GET /no/such/page)" 404
is "DELETE is 405" "$(req DELETE /report)" 405

# Languages: the switch, the cookie that remembers it, Accept-Language.
req GET '/?lang=es' -c "$WORK/lang.jar" >/dev/null
check "?lang=es renders Spanish" grep -q '<html lang="es"' "$WORK/body"
check "the language cookie ends with the browser session" \
	sh -c "grep -i '^set-cookie: vigil_lang=es' '$WORK/headers' | grep -qv -i 'max-age'"
req GET /report -b "$WORK/lang.jar" >/dev/null
check "the language cookie keeps Spanish" grep -q '<html lang="es"' "$WORK/body"
req GET /report -H 'Accept-Language: es-MX,es;q=0.9,en;q=0.5' >/dev/null
check "Accept-Language picks Spanish" grep -q '<html lang="es"' "$WORK/body"
check "the Spanish report form names countries in Spanish" grep -q 'Alemania' "$WORK/body"
req GET /report -H 'Accept-Language: fr-FR,de;q=0.8' >/dev/null
check "an unsupported language falls back to English" grep -q '<html lang="en"' "$WORK/body"

# Reporting a tip.
code=$(form /report --data-urlencode 'narrative=A girl of about 15 works nights at the motel on 5th Street and a man keeps her phone.' \
	--data-urlencode country=US --data-urlencode region=California --data-urlencode city=Oakland \
	--data-urlencode 'place=Motel on 5th' --data-urlencode 'when=last week' --data-urlencode danger_now=yes \
	--data-urlencode 'contact=555-0142' --data-urlencode may_contact=yes --data-urlencode language=en)
is "a complete report is accepted" "$code" 201
RECEIPT=$(grep -Eo '[0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5}' "$WORK/body" | head -n 1)
check "the receipt is 25 digits in five groups" test -n "$RECEIPT"
check "the receipt page warns to keep it safe" grep -qi 'safe' "$WORK/body"
check "a report of danger now is told to call for help" grep -q '911' "$WORK/body"

code=$(form /report --data-urlencode 'narrative=Only the narrative.')
is "a report with only the narrative is accepted" "$code" 201
RECEIPT2=$(grep -Eo '[0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5}' "$WORK/body" | head -n 1)
check "two reports get different receipts" test "$RECEIPT" != "$RECEIPT2"

code=$(form /report --data-urlencode 'narrative=   ' --data-urlencode 'city=Oakland')
is "a blank narrative is refused with 422" "$code" 422
check "the refusal says what is missing" grep -q 'href="#narrative"' "$WORK/body"
check "  and marks the field" sh -c "grep -A3 'id=\"narrative\"' '$WORK/body' | grep -q 'aria-invalid=\"true\"' || grep -B3 'id=\"narrative\"' '$WORK/body' | grep -q 'aria-invalid=\"true\"'"
check "the refused form keeps what was typed" grep -q 'value="Oakland"' "$WORK/body"
code=$(form /report --data-urlencode 'narrative=x' --data-urlencode 'country=ZZ')
is "an unknown country is refused" "$code" 422
code=$(form /report --data-urlencode 'narrative=x' --data-urlencode 'language=fr')
is "an unknown language is refused" "$code" 422

# Checking a report: by POST only, the same answer for every wrong receipt.
is "GET /check shows the form" "$(req GET /check)" 200
code=$(form /check --data-urlencode "receipt=$RECEIPT")
is "the receipt opens the report" "$code" 200
check "the report shows its status" grep -q 'Received' "$WORK/body"
code=$(form /check --data-urlencode "receipt=$(echo "$RECEIPT" | tr ' ' '-')")
is "the receipt also opens with dashes" "$code" 200

form /check --data-urlencode 'receipt=11111 11111 11111 11111 11111' >/dev/null
cp "$WORK/body" "$WORK/wrong1"
form /check --data-urlencode 'receipt=not a receipt at all' >/dev/null
cp "$WORK/body" "$WORK/wrong2"
code=$(form /check --data-urlencode 'receipt=')
is "a wrong receipt is 404" "$code" 404
check "an unknown and a malformed receipt get the same page" cmp -s "$WORK/wrong1" "$WORK/wrong2"
check "an empty receipt gets the same page" cmp -s "$WORK/wrong1" "$WORK/body"

code=$(form /check/add --data-urlencode "receipt=$RECEIPT" --data-urlencode 'message=He drives a grey van.')
is "the reporter can add information" "$code" 200
check "the added information is shown" grep -q 'He drives a grey van.' "$WORK/body"
code=$(form /check/add --data-urlencode "receipt=$RECEIPT" --data-urlencode 'message=')
is "an empty addition is refused" "$code" 422
code=$(form /check/add --data-urlencode 'receipt=11111 11111 11111 11111 11111' --data-urlencode 'message=x')
is "adding with a wrong receipt is 404" "$code" 404

# Help lines: the country's lines, emergency first, callable links.
is "GET /help is 200" "$(req GET /help)" 200
check "  the default country's emergency number comes first" sh -c "grep -o 'href=\"tel:[^\"]*\"' '$WORK/body' | head -n 1 | grep -q 'tel:911'"
check "  with the national hotline" grep -q 'href="tel:+18883737888"' "$WORK/body"
check "  saying which lines are open now" grep -q 'Open now' "$WORK/body"
is "GET /help?country=ES is 200" "$(req GET '/help?country=ES')" 200
check "  112 comes first in Spain" sh -c "grep -o 'href=\"tel:[^\"]*\"' '$WORK/body' | head -n 1 | grep -q 'tel:112'"
check "  with the Policía Nacional trafficking line" grep -q 'href="tel:+34900105090"' "$WORK/body"
check "  and no US line" sh -c "! grep -q 'tel:+18883737888' '$WORK/body'"
check "  with Spain chosen in the list" grep -q '<option value="ES" selected>' "$WORK/body"
is "an unknown country is 404" "$(req GET '/help?country=ZZ')" 404
req GET '/help?country=ES&lang=es' >/dev/null
check "the help page speaks Spanish" grep -q 'Llamar' "$WORK/body"
code=$(form /report --data-urlencode 'narrative=Seen in Madrid.' --data-urlencode country=ES --data-urlencode danger_now=yes)
is "a report from Spain is accepted" "$code" 201
ES_RECEIPT=$(grep -Eo '[0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5}' "$WORK/body" | head -n 1)
check "  and its receipt page lists Spain's lines" grep -q 'href="tel:+34900105090"' "$WORK/body"
check "  with 112 for the danger now" grep -q 'href="tel:112"' "$WORK/body"
form /check --data-urlencode "receipt=$ES_RECEIPT" >/dev/null
check "checking that report shows Spain's lines" grep -q 'href="tel:112"' "$WORK/body"

# Bad input is refused with a clear error and changes nothing.
before=$(sqlite3 "$DATA/vigil.db" 'select count(*) from tips')
code=$(req POST /report -H 'Content-Type: text/plain' --data 'narrative=x')
is "a form with the wrong content type is 415" "$code" 415
code=$(form /report --data 'narrative=%FF%FE%FD')
is "invalid UTF-8 is 400" "$code" 400
code=$(form /report --data 'narrative=%zz')
is "a malformed body is 400" "$code" 400
head -c 70000 /dev/zero | tr '\0' 'a' | sed 's/^/narrative=/' >"$WORK/big"
code=$(form /report --data-binary "@$WORK/big")
is "an oversized body is 413" "$code" 413
code=$(form /report -H 'Origin: https://evil.example' --data 'narrative=cross+site')
is "a post from another site is 403" "$code" 403
code=$(form /report -H 'Sec-Fetch-Site: cross-site' --data 'narrative=cross+site')
is "a post a browser calls cross-site is 403" "$code" 403
after=$(sqlite3 "$DATA/vigil.db" 'select count(*) from tips')
is "no refused request stored anything" "$after" "$before"
# Under "no-referrer" Chromium sends Origin: null with a post from our own
# page; Sec-Fetch-Site says where it came from.
code=$(form /report -H 'Origin: null' -H 'Sec-Fetch-Site: same-origin' --data 'narrative=same+site')
is "a post from our own page with Origin: null is accepted" "$code" 201

done_testing
