#!/bin/sh
# `vigil ads`: clusters of near-duplicate ads, networks through shared
# phones and emails, ranking with a stated age under 18 first, JSON escapes
# and numeric ids read the same by the fast path and by jansson, malformed
# lines named and skipped (exit status 2), CSV input, the incremental index
# (a second day joins the first day's clusters; a damaged or mismatched
# index is refused) and the HTML report. Fixture ads are synthetic; their
# numbers are fictional (555-01xx).
. "$SRCDIR/tests/integration/lib.sh"

ads() { "$VIGIL" --data "$WORK/none" ads "$@"; }
# field FILE EXPR LINE: a field of the LINE-th JSON line of FILE.
field() { python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readlines()[int(sys.argv[3])-1]); print(eval("d"+sys.argv[2]))' "$1" "$2" "$3"; }
# cluster_of FILE ID: the cluster of ID in an --assign output.
cluster_of() { python3 -c 'import json,sys; print([d["cluster"] for d in map(json.loads, open(sys.argv[1])) if d["id"]==sys.argv[2]][0])' "$1" "$2"; }
network_of() { python3 -c 'import json,sys; print([d["network"] for d in map(json.loads, open(sys.argv[1])) if d["id"]==sys.argv[2]][0])' "$1" "$2"; }

# Template A, three copies: names, cities, prices and a word or two differ,
# and the phone is written three ways. Template B shares A's second number.
A='my name is %s and i am a sweet latina girl visiting %s this week. real pics no games, incall and outcall available all night, %s roses an hour. hot friendly fun and discreet, call me for a %s time: %s'
B_TEXT='new spa downtown with a warm welcome and private rooms, open late every night of the week, ask for our specials when you text (510) 555-0177'
row() { # id city name town price word phone
	text=$(printf "$A" "$3" "$4" "$5" "$6" "$7")
	printf '{"id": "%s", "posted_at": "2026-05-0%sT10:00:00Z", "city": "%s", "region": "CA", "title": "sweet latina in %s", "text": "%s"}\n' "$1" "$8" "$2" "$2" "$text"
}
{
	row a1 Oakland lola oakland 150 relaxing '(510) 555-0142' 1
	row a2 Fresno mia fresno 200 soothing '510.555.0142' 2
	echo 'this is not json'
	row a3 Oakland nina oakland 180 relaxing 'five one zero 555 0177' 3
	echo '{"id": "no-text"}'
	printf '{"id": "b1", "city": "Sacramento", "region": "CA", "text": "%s"}\n' "$B_TEXT"
	printf '{"id": "b2", "city": "Reno", "region": "NV", "text": "%s", "phones": ["510-555-0177"]}\n' "$(echo "$B_TEXT" | sed 's/warm/friendly/')"
	echo '{"id": "loner", "text": "selling a used bicycle, blue, good tires, call 510 555 0199"}'
	echo '{"id": "young", "text": "fresh new girl just 16 years old, text 510 555 0155 now. young and sweet"}'
	echo '{"id": "young2", "text": "fresh new girl just 16 years old, text 510 555 0155 now! young and so sweet"}'
} >"$WORK/day1.jsonl"

ads cluster --no-indicators --assign <"$WORK/day1.jsonl" >"$WORK/assign" 2>"$WORK/err"
is "malformed lines make the exit status 2" "$?" 2
check "the line that is not JSON is named by its number" grep -q '^vigil: line 3: malformed JSON' "$WORK/err"
check "the line without text is named by its number" grep -q '^vigil: line 5: .*"text"' "$WORK/err"
is "every good ad is assigned, in input order" "$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["id"] for l in open(sys.argv[1])))' "$WORK/assign")" "a1 a2 a3 b1 b2 loner young young2"
is "copies of one template are one cluster" "$(cluster_of "$WORK/assign" a2) $(cluster_of "$WORK/assign" a3)" "$(cluster_of "$WORK/assign" a1) $(cluster_of "$WORK/assign" a1)"
is "  named by its first ad" "$(cluster_of "$WORK/assign" a1)" c0
check "a different text is another cluster" [ "$(cluster_of "$WORK/assign" b1)" != "$(cluster_of "$WORK/assign" a1)" ]
is "  but the same network through a shared number" "$(network_of "$WORK/assign" b1)" "$(network_of "$WORK/assign" a1)"
is "an unrelated ad is alone" "$(cluster_of "$WORK/assign" loner) $(network_of "$WORK/assign" loner)" "c5 n5"

ads cluster --no-indicators <"$WORK/day1.jsonl" >"$WORK/clusters" 2>/dev/null
is "cluster lines: the cluster with a stated age under 18 first" "$(field "$WORK/clusters" '["ads"]' 1)" "['young', 'young2']"
is "  with the age" "$(field "$WORK/clusters" '["ages_under_18"], d["youngest"]' 1)" "(2, 16)"
case $(field "$WORK/clusters" '["why"][0]' 1) in
"stated age under 18 in 2 of 2 ads (youngest 16): ranked first"*) ok "  and the reason first in why" ;;
*) not_ok "  and the reason first in why" ;;
esac
A_LINE=$(grep -n '"cluster":"c0"' "$WORK/clusters" | cut -d: -f1)
is "template A's cluster lists its ads" "$(field "$WORK/clusters" '["ads"]' "$A_LINE")" "['a1', 'a2', 'a3']"
is "  its numbers in E.164, however written" "$(field "$WORK/clusters" '["phones"]' "$A_LINE")" "['+15105550142', '+15105550177']"
is "  its cities and regions" "$(field "$WORK/clusters" '["cities"], d["regions"]' "$A_LINE")" "(['Oakland, CA', 'Fresno, CA'], ['CA'])"
is "  first and last seen" "$(field "$WORK/clusters" '["first_seen"], d["last_seen"]' "$A_LINE")" "('2026-05-01T10:00:00Z', '2026-05-03T10:00:00Z')"
check "  a risk and its reasons" python3 -c 'import json,sys; d=[json.loads(l) for l in open(sys.argv[1]) if "\"c0\"" in l][0]; assert 0 <= d["risk"] <= 1 and d["why"]' "$WORK/clusters"
check "a lone ad in a network of one is not written" sh -c "! grep -q '\"loner\"' '$WORK/clusters'"
check "template B's cluster is written" grep -q '"cluster":"c3","network":"n0","size":2,"ads":\["b1","b2"\]' "$WORK/clusters"

ads cluster --no-indicators --networks <"$WORK/day1.jsonl" >"$WORK/networks" 2>/dev/null
check "--networks: A and B together, their clusters named" python3 -c '
import json,sys
n=[json.loads(l) for l in open(sys.argv[1])]
ab=[d for d in n if "a1" in d["ads"]][0]
assert sorted(ab["ads"])==["a1","a2","a3","b1","b2"], ab["ads"]
assert ab["clusters"]==["c0","c3"], ab["clusters"]
assert ab["regions"]==["CA","NV"], ab["regions"]' "$WORK/networks"

# The same ads as CSV with a header row, a quoted text spanning lines.
python3 - "$WORK/day1.jsonl" >"$WORK/day1.csv" <<'PY'
import csv, json, sys
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["id", "posted_at", "city", "region", "title", "text", "phones", "ignored"])
for line in open(sys.argv[1]):
    try:
        d = json.loads(line)
    except ValueError:
        continue
    if "text" not in d:
        continue
    w.writerow([d["id"], d.get("posted_at", ""), d.get("city", ""), d.get("region", ""),
                d.get("title", ""), d["text"].replace(". ", ".\n", 1), ";".join(d.get("phones", [])), "x"])
PY
ads cluster --no-indicators --assign <"$WORK/day1.csv" >"$WORK/assign.csv" 2>"$WORK/err"
is "CSV: read to the end without complaint" "$?" 0
is "  the same clusters and networks as JSON Lines" "$(cut -d, -f2- "$WORK/assign.csv" | tr '\n' ' ')" "$(cut -d, -f2- "$WORK/assign" | tr '\n' ' ')"
printf 'name,text\nx,hello\n' | ads cluster --no-indicators >/dev/null 2>"$WORK/err"
is "  a header without an id column is bad input" "$?" 2
check "  and says so" grep -q 'needs an "id" and a "text" column' "$WORK/err"

# Day one into an index, day two joins it.
ads cluster --no-indicators --index "$WORK/ads.idx" <"$WORK/day1.jsonl" >/dev/null 2>&1
check "the index file is written" [ -s "$WORK/ads.idx" ]
is "  readable by its owner only" "$(stat -c %a "$WORK/ads.idx")" 600
{
	row a4 Reno zoe reno 220 relaxing '(510) 555-0142' 4
	row a1 Oakland lola oakland 150 relaxing '(510) 555-0142' 1
	echo '{"id": "other", "text": "a brand new text about gardening tools and seeds for the spring season"}'
} >"$WORK/day2.jsonl"
cp "$WORK/ads.idx" "$WORK/day1.idx"
ads cluster --no-indicators --index "$WORK/ads.idx" --assign <"$WORK/day2.jsonl" >"$WORK/assign2" 2>"$WORK/err"
is "day two runs cleanly" "$?" 0
is "  its copy of A joins day one's cluster" "$(cluster_of "$WORK/assign2" a4)" c0
is "  an ad already seen keeps its cluster" "$(cluster_of "$WORK/assign2" a1)" c0
ads cluster --no-indicators --index "$WORK/day1.idx" <"$WORK/day2.jsonl" >"$WORK/clusters2" 2>/dev/null
check "  cluster lines cover the clusters this run touched" grep -q '"ads":\["a1","a2","a3","a4"\]' "$WORK/clusters2"
check "  and not the others" sh -c "! grep -q '\"young\"' '$WORK/clusters2'"
ads cluster --no-indicators --index "$WORK/ads.idx" <"$WORK/day2.jsonl" >"$WORK/clusters3" 2>/dev/null
is "  and a day read twice adds nothing and writes nothing" "$(wc -c <"$WORK/clusters3")" 0
ads cluster --no-indicators --index "$WORK/ads.idx" --threshold 0.5 </dev/null >/dev/null 2>"$WORK/err"
is "an index made with other parameters is refused" "$?" 2
check "  naming them" grep -q 'was made with threshold 0.42, bands 9x2' "$WORK/err"
cp "$WORK/ads.idx" "$WORK/bad.idx"
printf 'X' | dd of="$WORK/bad.idx" bs=1 seek=100 conv=notrunc 2>/dev/null
ads cluster --no-indicators --index "$WORK/bad.idx" </dev/null >/dev/null 2>"$WORK/err"
is "a damaged index is refused" "$?" 2
check "  as damaged" grep -q 'not a vigil ads index of this version, or damaged' "$WORK/err"

# The report.
ads report --index "$WORK/ads.idx" >"$WORK/report.html" 2>/dev/null
is "the report renders" "$?" 0
check "  lists the networks" grep -q '<section id="n0">' "$WORK/report.html"
check "  with no script" sh -c "! grep -qi '<script' '$WORK/report.html'"
echo '{"id": "<b>x</b>", "text": "fresh new girl just 16 years old, text 510 555 0155 now. young and sweet"}' >"$WORK/evil.jsonl"
cat "$WORK/day1.jsonl" "$WORK/evil.jsonl" | ads report --no-indicators >"$WORK/report2.html" 2>/dev/null
check "  escaping what the ads say" grep -q '&lt;b&gt;x&lt;/b&gt;' "$WORK/report2.html"
check "  never echoing it raw" sh -c "! grep -q '<b>x</b>' '$WORK/report2.html'"

# With the indicator screen: the categories of ads, and the risk they give.
ads cluster --assign </dev/null >/dev/null 2>&1
is "the screen loads its rules" "$?" 0
ads cluster <"$WORK/day1.jsonl" >"$WORK/screened" 2>/dev/null
check "indicator categories are counted per cluster" python3 -c '
import json,sys
d=[json.loads(l) for l in open(sys.argv[1]) if "\"c0\"" in l][0]
assert d["indicators"].get("ad.reassurance")==3, d["indicators"]
assert any(w.startswith("trust or reassurance language in 3 of 3 ads") for w in d["why"]), d["why"]' "$WORK/screened"

# JSON read by the fast path and by jansson alike (docs/ads.md, "How a JSON line is read"):
# escapes decoded, a numeric id kept as its digits, an unknown nested value skipped, and a
# duplicate key, which only jansson reports, still named by its line.
{
	printf '{"id": "caf\\u00e9-1", "text": "a \\"quoted\\" line\\nwith escapes \\ud83d\\ude00", "phones": ["510\\/555\\/0142"], "extra": {"k": [1, 2.5, null]}}\n'
	printf '{"id": 42, "text": "numeric id"}\n'
	printf '{"id": "dup", "id": "dup2", "text": "twice"}\n'
	printf '{"id": -0, "text": "minus zero"}\n'
} >"$WORK/escapes.jsonl"
ads cluster --no-indicators --assign <"$WORK/escapes.jsonl" >"$WORK/assign-esc" 2>"$WORK/err"
is "JSON read the fast way or by jansson: a duplicate key makes the exit status 2" "$?" 2
check "  and is named by its line, as jansson words it" grep -q '^vigil: line 3: malformed JSON.*duplicate' "$WORK/err"
check "  escaped ids are decoded, numeric ids kept as digits" python3 -c '
import json, sys
ids = [json.loads(l)["id"] for l in open(sys.argv[1])]
assert ids == ["caf\u00e9-1", "42", "0"], ids' "$WORK/assign-esc"

# Bad usage and bad rules.
ads cluster --bands 40x2 </dev/null >/dev/null 2>"$WORK/err"
is "a band layout out of range is bad usage" "$?" 2
ads frobnicate </dev/null >/dev/null 2>&1
is "an unknown subcommand is bad usage" "$?" 2
mkdir -p "$WORK/rules/ads"
printf 'feature\tweight\tscale\tlabel\tsource\nad.x\t1\t1\tx\t\n' >"$WORK/rules/ads/weights.tsv"
ads cluster --no-indicators --rules "$WORK/rules" </dev/null >/dev/null 2>"$WORK/err"
is "bad weights are bad input" "$?" 2
check "  named by file and line" grep -q 'weights.tsv:2: every weight needs its source' "$WORK/err"

done_testing
