#!/bin/sh
# `vigil directory` and `vigil route`: listing, filters, the fixed clock,
# JSON Lines, referrals in priority order, and a clear error with exit
# status 2 for every kind of bad input. Fixture data uses fictional numbers
# (555-01xx); a few checks read the real data by id only.
. "$SRCDIR/tests/integration/lib.sh"

FIX="$WORK/rules"
mkdir -p "$FIX/directory" "$FIX/routing" "$DATA"

cat >"$FIX/directory/xx.ini" <<'EOF'
[xx-emergency]
name = Example emergency
country = US
short = 55501
hours = 24/7
services = emergency
source = fixture

[xx-day]
name = Example day line
country = US
phone = +15555550100 | 555-0100
hours = Mo-Fr 09:00-17:00
zone = America/New_York
languages = en, es
services = help, report
trafficking = yes
source = fixture

[xx-county]
name = Example county team
country = US
region = US-CA
phone = +15555550101 | 555-0101
services = child, report
trafficking = yes
source = fixture

[xx-wages]
name = Example wage line
country = US
phone = +15555550102 | 555-0102
services = labor, wage_theft
source = fixture

[yy-abroad]
name = Example line abroad
country = DE
phone = +15555550103 | 555-0103
hours = 24/7
services = help
trafficking = yes
source = fixture
EOF

printf 'id\tpriority\twhen\ttargets\treason\n%s\n%s\n%s\n%s\n' \
	"$(printf 'crisis\t10\turgency=crisis\temergency@country:1\tDanger now.')" \
	"$(printf 'child\t20\tminor\tchild@region\tA child.')" \
	"$(printf 'lines\t40\tstatus!=not_indicated\ttrafficking@country\tTrafficking.')" \
	"$(printf 'wages\t50\tlabor_exploitation & status!=likely\txx-wages\tWages.')" \
	>"$FIX/routing/rules.tsv"

# Monday 30 March 2026: 10:30 and 19:30 in New York.
DAY=2026-03-30T14:30:00Z
NIGHT=2026-03-30T19:30:00-04:00

dir() { "$VIGIL" --data "$DATA" directory --rules "$FIX" "$@" 2>"$WORK/err"; }
ids() { dir "$@" | awk 'NR > 1 { print $2 }' | tr '\n' ' ' | sed 's/ $//'; }
route() { "$VIGIL" --data "$DATA" route --rules "$FIX" "$@" 2>"$WORK/err"; }
refs() { python3 -c 'import json, sys
for line in sys.stdin:
    print(" ".join(r["id"] for r in json.loads(line)["referrals"]))'; }

# vigil directory
out=$(dir --at "$DAY")
is "directory exits 0" "$?" 0
is "the table has a header" "$(printf '%s\n' "$out" | head -n 1 | awk '{ print $1, $2 }')" "STATE ID"
is "emergency first, then open, then unknown hours" "$(ids --at "$DAY")" \
	"xx-emergency xx-day yy-abroad xx-county xx-wages"
is "after hours the day line comes last" "$(ids --at "$NIGHT")" \
	"xx-emergency yy-abroad xx-county xx-wages xx-day"
printf '%s\n' "$out" >"$WORK/table"
check "a row shows state, id, number, name, hours, services and languages" grep -Eq \
	'^open +xx-day +555-0100 +Example day line \(Mo-Fr 09:00-17:00 America/New_York; report, help; languages en, es\)$' \
	"$WORK/table"
is "--country" "$(ids --country de --at "$DAY")" "yy-abroad"
is "--country with no lines lists none" "$(ids --country FR --at "$DAY")" ""
is "--region keeps the national lines and that region's" "$(ids --region US-CA --at "$NIGHT")" \
	"xx-emergency xx-county xx-wages xx-day"
is "--region of another region leaves the county out" "$(ids --country US --region TX --at "$NIGHT")" \
	"xx-emergency xx-wages xx-day"
is "--service" "$(ids --service child --at "$DAY")" "xx-county"
is "--open-now" "$(ids --open-now --country US --at "$DAY")" "xx-emergency xx-day"
is "--open-now after hours" "$(ids --open-now --country US --at "$NIGHT")" "xx-emergency"

dir --json --country US --at "$DAY" >"$WORK/out.jsonl"
is "--json exits 0" "$?" 0
is "--json writes one object per line" \
	"$(python3 -c 'import json, sys; print(" ".join(json.loads(l)["id"] for l in open(sys.argv[1])))' "$WORK/out.jsonl")" \
	"xx-emergency xx-day xx-county xx-wages"
is "  with open_now true, false or null" \
	"$(python3 -c 'import json, sys; print(" ".join(json.dumps(json.loads(l)["open_now"]) for l in open(sys.argv[1])))' "$WORK/out.jsonl")" \
	"true true null null"
is "  and the channels" \
	"$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readlines()[1])["channels"][0]["written"])' "$WORK/out.jsonl")" \
	"555-0100"

dir --country ZZ >/dev/null
is "an unknown --country exits 2" "$?" 2
check "  saying so" grep -q 'unknown country "ZZ"' "$WORK/err"
dir --country US --region Atlantis >/dev/null
is "an unknown --region exits 2" "$?" 2
check "  saying so" grep -q 'unknown region "Atlantis"' "$WORK/err"
dir --region CA >/dev/null
is "a region without its country exits 2" "$?" 2
dir --at 2026-03-30T14:30:00 >/dev/null
is "--at without an offset exits 2" "$?" 2
check "  saying what is expected" grep -q 'not an ISO 8601 instant' "$WORK/err"
dir --at 2026-02-30T10:00:00Z >/dev/null
is "--at on a day that does not exist exits 2" "$?" 2
dir --service sleep >/dev/null
is "an unknown --service exits 2" "$?" 2
check "  listing the services" grep -q 'visa_fraud' "$WORK/err"
dir --colour >/dev/null
is "an unknown argument exits 2" "$?" 2
check "  with the usage" grep -q 'usage: vigil directory' "$WORK/err"
dir --country >/dev/null
is "a missing value exits 2" "$?" 2
"$VIGIL" --data "$DATA" directory --rules "$WORK/nowhere" >/dev/null 2>"$WORK/err"
is "a missing data directory exits 1" "$?" 1

# Bad data names the file and line.
mkdir -p "$WORK/bad/directory"
printf '[xx-bad]\nname = Bad\ncountry = US\nphone = 555-0100\nservices = help\nsource = fixture\n' \
	>"$WORK/bad/directory/bad.ini"
"$VIGIL" --data "$DATA" directory --rules "$WORK/bad" >/dev/null 2>"$WORK/err"
is "bad directory data exits 2" "$?" 2
check "  naming the file and line" grep -q 'bad.ini:4: phone "555-0100" is not E.164' "$WORK/err"
printf '[xx-bad]\nname = Bad\ncountry = ZZ\nphone = +15555550100\nservices = help\nsource = fixture\n' \
	>"$WORK/bad/directory/bad.ini"
"$VIGIL" --data "$DATA" directory --rules "$WORK/bad" >/dev/null 2>"$WORK/err"
is "a country that ISO 3166 does not know exits 2" "$?" 2
check "  naming the file and line" grep -q 'bad.ini:1: unknown country ZZ' "$WORK/err"

# vigil route
cat >"$WORK/in.jsonl" <<'EOF'
{"id": "a", "status": "likely", "urgency": "crisis", "elements": {"minor": true}, "country": "US", "region": "CA"}
{"id": "b", "status": "possible", "urgency": "routine"}
{"id": "c", "status": "not_indicated", "urgency": "routine", "labor_exploitation": true, "country": "US"}
{"id": "d", "status": "possible", "urgency": "routine", "country": "DE"}
EOF
route --at "$DAY" <"$WORK/in.jsonl" >"$WORK/out.jsonl"
is "route exits 0" "$?" 0
is "route writes each line back with its referrals" "$(refs <"$WORK/out.jsonl" | tr '\n' '|')" \
	"xx-emergency xx-county xx-day|xx-day|xx-wages|yy-abroad|"
is "  keeping the input's members, in order" \
	"$(head -n 1 "$WORK/out.jsonl" | python3 -c 'import json, sys; print(" ".join(json.loads(sys.stdin.read())))')" \
	"id status urgency elements country region referrals"
is "  each referral with name, phone, reason, open_now and priority" \
	"$(head -n 1 "$WORK/out.jsonl" | python3 -c 'import json, sys
r = json.loads(sys.stdin.read())["referrals"]
print(r[0]["phone"], r[0]["reason"], r[0]["open_now"], r[0]["priority"], r[1]["open_now"], r[2]["name"])')" \
	"55501 Danger now. True 10 None Example day line"
is "open_now follows --at" \
	"$(route --at "$NIGHT" <"$WORK/in.jsonl" | head -n 1 | python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["referrals"][2]["open_now"])')" \
	"False"

mkdir -p "$DATA"
printf '[screen]\ndefault_country = DE\n' >"$DATA/vigil.conf"
is "a line without a country is in vigil.conf's default_country" \
	"$(sed -n 2p "$WORK/in.jsonl" | route --at "$DAY" | refs)" "yy-abroad"
rm -f "$DATA/vigil.conf"

printf '%s\n' '{"id": 1, "status": "possible", "country": "DE"}' 'not json' \
	'{"id": 3, "status": "possible", "country": "ZZ"}' '{"id": 4, "text": "not screened"}' \
	'[1, 2]' '{"id": 6, "status": "possible", "kinds": "sex"}' \
	'{"id": 7, "status": "possible", "country": "US", "region": "Atlantis"}' \
	'{"id": 8, "status": "possible", "country": "DE"}' >"$WORK/mixed.jsonl"
route --at "$DAY" <"$WORK/mixed.jsonl" >"$WORK/out.jsonl"
is "malformed lines make the exit status 2" "$?" 2
is "  and the good lines are still routed" \
	"$(python3 -c 'import json, sys; print(" ".join(str(json.loads(l)["id"]) for l in open(sys.argv[1])))' "$WORK/out.jsonl")" \
	"1 8"
check "  malformed JSON names line 2" grep -q '^vigil: line 2: malformed JSON' "$WORK/err"
check "  an unknown country names line 3" grep -q '^vigil: line 3: unknown country "ZZ"' "$WORK/err"
check "  a line that is not a screening result names line 4" grep -q '^vigil: line 4: no "status"' "$WORK/err"
check "  a line that is not an object names line 5" grep -q '^vigil: line 5: ' "$WORK/err"
check "  a field of the wrong type names line 6" grep -q '^vigil: line 6: "kinds" must be a list' "$WORK/err"
check "  an unknown region names line 7" grep -q '^vigil: line 7: unknown region "Atlantis"' "$WORK/err"
is "  one error line each" "$(wc -l <"$WORK/err" | tr -d ' ')" 6

route --at yesterday </dev/null >/dev/null
is "route with a bad --at exits 2" "$?" 2
route --colour </dev/null >/dev/null
is "route with an unknown argument exits 2" "$?" 2
printf 'id\tpriority\twhen\ttargets\treason\nx\t5\tminor\txx-nobody\tWhy.\n' >"$FIX/routing/zz.tsv"
route </dev/null >/dev/null
is "a rule naming an unknown entry exits 2" "$?" 2
check "  naming the file and line" grep -q 'zz.tsv:2: target "xx-nobody" is not an entry' "$WORK/err"
rm -f "$FIX/routing/zz.tsv"

# The real data, by id.
real() { "$VIGIL" --data "$DATA" "$@" 2>"$WORK/err"; }
is "the real directory loads" "$(real directory --country DE --service emergency | awk 'NR == 2 { print $2 }')" \
	"de-112"
is "  and lists the US emergency number first" \
	"$(real directory --country US --at "$DAY" | awk 'NR == 2 { print $2 }')" "us-911"
is "the real rules send a crisis in Australia to Triple Zero first" \
	"$(printf '%s\n' '{"status": "likely", "urgency": "crisis", "country": "AU"}' | real route --at "$DAY" | refs)" \
	"au-000 au-afp"
is "  and a child in commercial sex in the US to NCMEC" \
	"$(printf '%s\n' '{"status": "likely", "urgency": "priority", "elements": {"minor": true, "purpose": ["commercial_sex"]}, "country": "US"}' | real route --at "$DAY" | refs | cut -d' ' -f1)" \
	"us-ncmec"

# Real screening piped into real routing: the tips of tests/corpus/tune.jsonl
# that name visa or passport fraud, a diplomat, work-visa fraud or sexual
# images of a child must reach DSS, the DOL OIG and NCMEC.
python3 -c 'import json, sys
want = sys.argv[2:]
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t["id"] in want:
        print(json.dumps({"id": t["id"], "text": t["text"], "country": "US", "region": "US-CA"}))' \
	"$SRCDIR/tests/corpus/tune.jsonl" t65 t66 t67 t68 t69 t71 t72 t76 t77 t79 >"$WORK/tips.jsonl"
real screen --rules "$SRCDIR/data" <"$WORK/tips.jsonl" >"$WORK/screened.jsonl"
is "vigil screen reads the tips" "$?" 0
is "  and carries country and region through" \
	"$(head -n 1 "$WORK/screened.jsonl" | python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["country"], r["region"])')" \
	"US US-CA"
real route --at "$DAY" <"$WORK/screened.jsonl" >"$WORK/routed.jsonl"
is "vigil route reads what vigil screen wrote" "$?" 0
# refs_of ID: the referral ids of one tip, in order.
refs_of() { python3 -c 'import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["id"] == sys.argv[2]:
        print(" ".join(x["id"] for x in r["referrals"]))' "$WORK/routed.jsonl" "$1"; }
# has ID REF: the tip's referrals include REF.
has() { refs_of "$1" | tr ' ' '\n' | grep -qx "$2"; }
check "a fake work visa sold to a domestic worker goes to DSS" has t65 us-dss
check "  and, as likely trafficking, to the national hotline" has t65 us-nhth
check "una visa falsa goes to DSS" has t66 us-dss
is "selling fake passports, with no sign of trafficking, goes to DSS alone" "$(refs_of t67)" "us-dss"
check "a diplomat's domestic worker goes to DSS" has t68 us-dss
check "el empleo en la casa de un diplomatico goes to DSS" has t69 us-dss
check "a visa fee charged to H-2A workers goes to the DOL OIG" has t71 us-dol-oig
check "  and to DSS" has t71 us-dss
check "la visa H-2A cobrada goes to the DOL OIG" has t72 us-dol-oig
is "images of a child sold online go to NCMEC first" "$(refs_of t76 | cut -d' ' -f1)" "us-ncmec"
is "fotos de la nina desnuda, nothing else, go to NCMEC and the county's child team" \
	"$(refs_of t77)" "us-ncmec us-ca-alameda-heat-watch"
is "a child sent to a buyer tonight: the emergency number, then NCMEC" \
	"$(refs_of t79 | cut -d' ' -f1-2)" "us-911 us-ncmec"
check "no tip without those categories goes to DSS or the OIG" python3 -c 'import json, sys
bad = [r["id"] for r in map(json.loads, open(sys.argv[1]))
       if r["id"] in ("t76", "t77", "t79")
       and {"us-dss", "us-dol-oig"} & {x["id"] for x in r["referrals"]}]
sys.exit(1 if bad else 0)' "$WORK/routed.jsonl"

done_testing
