#include "base/compat.h"

#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>

#include "web/template.h"

#define TFILE(n, s) { n, (const unsigned char *)(s), sizeof(s) - 1 }
#define TEND { NULL, NULL, 0 }

/* A set holding one template, "t", with the given text. */
static struct tpl_set *load_one(const char *text)
{
	struct embedded_file files[] = {
		{ "t.html", (const unsigned char *)text, strlen(text) },
		TEND,
	};
	struct tpl_set *set = NULL;

	assert_int_equal(tpl_set_load(files, &set), VG_OK);
	assert_non_null(set);
	return set;
}

/* Renders template `name` of set with JSON data; the result is malloc'd. */
static char *render_set(const struct tpl_set *set, const char *name,
			const char *json, tpl_translate_fn tr, void *arg)
{
	json_error_t err;
	json_t *data = json_loads(json, 0, &err);
	struct buf out;
	char *s;

	assert_non_null(data);
	buf_init(&out, 1 << 20);
	assert_int_equal(tpl_render(set, name, data, tr, arg, &out), VG_OK);
	s = buf_detach(&out, NULL);
	assert_non_null(s);
	json_decref(data);
	return s;
}

static void check_render(const char *text, const char *json,
			 const char *expect)
{
	struct tpl_set *set = load_one(text);
	char *s = render_set(set, "t", json, NULL, NULL);

	assert_string_equal(s, expect);
	free(s);
	tpl_set_free(set);
}

static void check_rejected(const char *text)
{
	struct embedded_file files[] = {
		{ "bad.html", (const unsigned char *)text, strlen(text) },
		TEND,
	};
	static char sentinel;
	struct tpl_set *set = (struct tpl_set *)&sentinel;

	assert_int_equal(tpl_set_load(files, &set), VG_INVAL);
	/* The output parameter is left alone on failure. */
	assert_ptr_equal(set, (struct tpl_set *)&sentinel);
}

static void test_escape_every_special(void **state)
{
	const char in[] = "a&b<c>d\"e'f`g\0h";
	struct buf out;

	(void)state;
	buf_init(&out, 256);
	assert_int_equal(tpl_escape(&out, in, sizeof(in) - 1), VG_OK);
	assert_string_equal(buf_str(&out),
			    "a&amp;b&lt;c&gt;d&quot;e&#39;f&#96;g\xEF\xBF\xBDh");
	buf_release(&out);
}

static void test_escape_limit(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 8);
	assert_int_equal(buf_adds(&out, "ab"), VG_OK);
	/* "&lt;&lt;" needs 8 more bytes; nothing of it may stay behind. */
	assert_int_equal(tpl_escape(&out, "<<", 2), VG_TOOBIG);
	assert_string_equal(buf_str(&out), "ab");
	assert_int_equal(out.len, 2);
	buf_release(&out);
}

static void test_var_escaped_in_text_and_attribute(void **state)
{
	(void)state;
	check_render("<a title=\"{{t}}\" data-x='{{t}}'>{{t}}</a>",
		     "{\"t\": \"&<>\\\"'`\"}",
		     "<a title=\"&amp;&lt;&gt;&quot;&#39;&#96;\" "
		     "data-x='&amp;&lt;&gt;&quot;&#39;&#96;'>"
		     "&amp;&lt;&gt;&quot;&#39;&#96;</a>");
}

static void test_xss_payload_inert(void **state)
{
	struct tpl_set *set = load_one(
		"<input value=\"{{v}}\"><p>{{v}}</p><div title='{{v}}'></div>");
	char *s = render_set(set, "t",
		"{\"v\": \"<script>alert(1)</script>\\\"'><img src=x "
		"onerror=alert(1)>\"}", NULL, NULL);

	(void)state;
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "<img"));
	assert_string_equal(s,
		"<input value=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;"
		"&#39;&gt;&lt;img src=x onerror=alert(1)&gt;\">"
		"<p>&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img "
		"src=x onerror=alert(1)&gt;</p>"
		"<div title='&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"
		"&gt;&lt;img src=x onerror=alert(1)&gt;'></div>");
	free(s);
	tpl_set_free(set);
}

static void test_values(void **state)
{
	(void)state;
	check_render("[{{i}}|{{n}}|{{r}}|{{t}}|{{f}}|{{z}}|{{o}}|{{a}}|{{none}}]",
		     "{\"i\": 42, \"n\": -7, \"r\": 1.5, \"t\": true, "
		     "\"f\": false, \"z\": null, \"o\": {\"x\": 1}, \"a\": [1]}",
		     "[42|-7|1.5|true|false||||]");
	check_render("{{ spaced }}", "{\"spaced\": \"ok\"}", "ok");
	check_render("{{! a comment }}x", "{}", "x");
	check_render("no tags at all\n", "{}", "no tags at all\n");
	check_render("", "{}", "");
}

static void test_dotted_names(void **state)
{
	(void)state;
	check_render("{{a.b}} {{a.b.c}} {{a.x}}",
		     "{\"a\": {\"b\": {\"c\": \"deep\"}, \"x\": 3}}",
		     " deep 3");
	check_render("{{a.b}}", "{\"a\": {\"b\": \"x\"}}", "x");
	/* The first segment is found from the innermost scope out ... */
	check_render("{{#in}}{{a.b}}{{/in}}",
		     "{\"a\": {\"b\": \"outer\"}, \"in\": {\"a\": {\"b\": \"inner\"}}}",
		     "inner");
	check_render("{{#in}}{{a.b}}{{/in}}",
		     "{\"a\": {\"b\": \"outer\"}, \"in\": {\"c\": 1}}",
		     "outer");
	/* ... and the rest only inside what it found. */
	check_render("{{#in}}[{{a.b}}]{{/in}}",
		     "{\"a\": {\"b\": \"outer\"}, \"in\": {\"a\": {\"c\": 1}}}",
		     "[]");
	check_render("[{{s.length}}]", "{\"s\": \"text\"}", "[]");
}

static void test_sections(void **state)
{
	(void)state;
	/* Arrays: once per element, the element as scope. */
	check_render("{{#xs}}<{{n}}>{{/xs}}",
		     "{\"xs\": [{\"n\": 1}, {\"n\": 2}, {\"n\": 3}]}",
		     "<1><2><3>");
	check_render("{{#xs}}[{{.}}]{{/xs}}", "{\"xs\": [\"a\", 2, true]}",
		     "[a][2][true]");
	check_render("a{{#xs}}x{{/xs}}b", "{\"xs\": []}", "ab");
	/* Objects: once, with the object as scope. */
	check_render("{{#o}}{{k}}{{/o}}", "{\"o\": {\"k\": \"v\"}}", "v");
	check_render("{{#o}}yes{{/o}}", "{\"o\": {}}", "yes");
	/* Scalars by truth. */
	check_render("{{#b}}yes{{/b}}", "{\"b\": true}", "yes");
	check_render("{{#b}}yes{{/b}}", "{\"b\": false}", "");
	check_render("{{#b}}yes{{/b}}", "{\"b\": null}", "");
	check_render("{{#b}}yes{{/b}}", "{}", "");
	check_render("{{#s}}[{{.}}]{{/s}}", "{\"s\": \"hi\"}", "[hi]");
	check_render("{{#s}}yes{{/s}}", "{\"s\": \"\"}", "");
	check_render("{{#n}}yes{{/n}}", "{\"n\": 3}", "yes");
	check_render("{{#n}}yes{{/n}}", "{\"n\": 0}", "");
	check_render("{{#n}}yes{{/n}}", "{\"n\": 0.25}", "yes");
	check_render("{{#n}}yes{{/n}}", "{\"n\": 0.0}", "");
	check_render("{{#a.b}}{{.}}{{/a.b}}", "{\"a\": {\"b\": \"dot\"}}",
		     "dot");
}

static void test_inverted(void **state)
{
	(void)state;
	check_render("{{^x}}none{{/x}}", "{}", "none");
	check_render("{{^x}}none{{/x}}", "{\"x\": false}", "none");
	check_render("{{^x}}none{{/x}}", "{\"x\": null}", "none");
	check_render("{{^x}}none{{/x}}", "{\"x\": []}", "none");
	check_render("{{^x}}none{{/x}}", "{\"x\": \"\"}", "none");
	check_render("{{^x}}none{{/x}}", "{\"x\": 0}", "none");
	check_render("{{^x}}none{{/x}}", "{\"x\": true}", "");
	check_render("{{^x}}none{{/x}}", "{\"x\": [0]}", "");
	check_render("{{^x}}none{{/x}}", "{\"x\": {}}", "");
	check_render("{{^x}}none{{/x}}", "{\"x\": \"a\"}", "");
}

static void test_nested_scopes(void **state)
{
	(void)state;
	check_render("{{#rows}}{{#cells}}{{row}}{{.}}{{top}};{{/cells}}{{/rows}}",
		     "{\"top\": \"!\", \"rows\": ["
		     "{\"row\": \"a\", \"cells\": [1, 2]},"
		     "{\"row\": \"b\", \"cells\": [3]}]}",
		     "a1!;a2!;b3!;");
	/* An inner name shadows the outer one only inside its section. */
	check_render("{{n}}{{#o}}{{n}}{{/o}}{{n}}",
		     "{\"n\": 1, \"o\": {\"n\": 2}}", "121");
	/* Scalars on the stack have no names: lookup goes past them. */
	check_render("{{#xs}}{{.}}{{n}}{{/xs}}", "{\"n\": \"-\", \"xs\": [1, 2]}",
		     "1-2-");
}

static void test_partials(void **state)
{
	static const struct embedded_file files[] = {
		TFILE("page.html", "<{{>head}}|{{#items}}{{>item}}{{/items}}>"),
		TFILE("head.html", "{{title}}"),
		TFILE("item.html", "({{name}}{{>leaf}})"),
		TFILE("leaf.html", "{{title}}"),
		TEND,
	};
	struct tpl_set *set = NULL;
	char *s;

	(void)state;
	assert_int_equal(tpl_set_load(files, &set), VG_OK);
	s = render_set(set, "page",
		       "{\"title\": \"T&\", \"items\": [{\"name\": \"a\"}, "
		       "{\"name\": \"b\", \"title\": \"own\"}]}", NULL, NULL);
	assert_string_equal(s, "<T&amp;|(aT&amp;)(bown)>");
	free(s);
	/* A partial can be rendered on its own too. */
	s = render_set(set, "item", "{\"name\": \"x\"}", NULL, NULL);
	assert_string_equal(s, "(x)");
	free(s);
	tpl_set_free(set);
}

static void test_partial_recursion_bounded(void **state)
{
	static const struct embedded_file files[] = {
		TFILE("tree.html", "[{{name}}{{#kids}}{{>tree}}{{/kids}}]"),
		TFILE("loop.html", "x{{>loop}}"),
		TEND,
	};
	struct tpl_set *set = NULL;
	json_t *data;
	struct buf out;
	char *s;

	(void)state;
	assert_int_equal(tpl_set_load(files, &set), VG_OK);
	/*
	 * Recursion that the data ends is fine. The leaf needs its own empty
	 * "kids": without it the lookup would find its parent's.
	 */
	s = render_set(set, "tree",
		       "{\"name\": \"r\", \"kids\": [{\"name\": \"a\", "
		       "\"kids\": [{\"name\": \"b\", \"kids\": []}]}]}",
		       NULL, NULL);
	assert_string_equal(s, "[r[a[b]]]");
	free(s);
	/* ... and recursion without end stops at the limit. */
	data = json_object();
	buf_init(&out, 1 << 16);
	assert_int_equal(tpl_render(set, "loop", data, NULL, NULL, &out),
			 VG_TOOBIG);
	assert_int_equal(out.len, 0);
	buf_release(&out);
	json_decref(data);
	tpl_set_free(set);
}

struct tr_log {
	int calls;
	char last[64];
};

static const char *tr_upper(void *arg, const char *msgid)
{
	struct tr_log *log = arg;

	log->calls++;
	snprintf(log->last, sizeof(log->last), "%s", msgid);
	if (!strcmp(msgid, "Report a tip"))
		return "Denunciar <ahora> & \"ya\"";
	return msgid;
}

static const char *tr_unknown(void *arg, const char *msgid)
{
	(void)arg;
	(void)msgid;
	return NULL;
}

static void test_translate(void **state)
{
	struct tpl_set *set = load_one(
		"<a>{{_ Report a tip}}</a>|{{_   Tom & \"Jerry\"\n\t  here }}");
	struct tr_log log = { 0 };
	char *s;

	(void)state;
	s = render_set(set, "t", "{}", tr_upper, &log);
	assert_string_equal(s, "<a>Denunciar &lt;ahora&gt; &amp; &quot;ya&quot;"
			    "</a>|Tom &amp; &quot;Jerry&quot; here");
	assert_int_equal(log.calls, 2);
	/* The msgid is trimmed, with inner runs of white space made one. */
	assert_string_equal(log.last, "Tom & \"Jerry\" here");
	free(s);

	s = render_set(set, "t", "{}", NULL, NULL);
	assert_string_equal(s, "<a>Report a tip</a>|Tom &amp; &quot;Jerry&quot; here");
	free(s);

	s = render_set(set, "t", "{}", tr_unknown, NULL);
	assert_string_equal(s, "<a>Report a tip</a>|Tom &amp; &quot;Jerry&quot; here");
	free(s);
	tpl_set_free(set);
}

static void test_malformed_rejected(void **state)
{
	char deep[32 * 12 + 1];
	size_t i, n = 0;

	(void)state;
	check_rejected("{{#a}}never closed");
	check_rejected("{{#a}}{{^b}}x{{/b}}");
	check_rejected("{{#a}}{{#b}}{{/a}}{{/b}}");
	check_rejected("{{/a}}");
	check_rejected("text {{name");
	check_rejected("{{name {{other}}");
	check_rejected("{{>missing}}");
	check_rejected("{{}}");
	check_rejected("{{#}}{{/}}");
	check_rejected("{{a b}}");
	check_rejected("{{{raw}}}");
	check_rejected("{{&raw}}");
	check_rejected("{{a..b}}");
	check_rejected("{{.a}}");
	check_rejected("{{a.}}");
	check_rejected("{{_ }}");
	check_rejected("{{_ unclosed");

	/* 32 sections open at once is one more than the limit. */
	for (i = 0; i < 32; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{{#a}}");
	for (i = 0; i < 32; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{{/a}}");
	check_rejected(deep);
}

/* Loads one file called name, expecting VG_INVAL; returns what was logged. */
static void load_logged(const char *name, const char *text, char *log,
			size_t size)
{
	struct embedded_file files[] = {
		{ name, (const unsigned char *)text, strlen(text) },
		TEND,
	};
	struct tpl_set *set = NULL;
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	assert_int_equal(tpl_set_load(files, &set), VG_INVAL);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(log, 1, size - 1, tmp);
	log[n] = '\0';
	fclose(tmp);
}

static void test_errors_name_file_and_line(void **state)
{
	char log[512];

	(void)state;
	load_logged("page.html", "a\nb\n{{#x}}\n\n", log, sizeof(log));
	assert_non_null(strstr(log, "page.html:3: unclosed section {{#x}}"));
	/* Lines inside a tag that spans lines count too. */
	load_logged("other.html", "a\n{{_ two\nlines}}\n{{>nope}}", log,
		    sizeof(log));
	assert_non_null(strstr(log, "other.html:4: unknown partial {{>nope}}"));
	load_logged("x.html", "{{#a}}\n{{/b}}", log, sizeof(log));
	assert_non_null(strstr(log, "x.html:2: {{/b}} does not close {{#a}} of line 1"));
}

static void test_nul_byte_rejected(void **state)
{
	static const struct embedded_file files[] = {
		TFILE("nul.html", "a\0b"),
		TEND,
	};
	struct tpl_set *set = NULL;

	(void)state;
	assert_int_equal(tpl_set_load(files, &set), VG_INVAL);
	assert_null(set);
}

static void test_nesting_at_limit_accepted(void **state)
{
	char text[31 * 12 + 2];
	size_t i, n = 0;
	struct tpl_set *set;
	char *s;

	(void)state;
	for (i = 0; i < 31; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "{{#a}}");
	n += (size_t)snprintf(text + n, sizeof(text) - n, "x");
	for (i = 0; i < 31; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "{{/a}}");
	set = load_one(text);
	s = render_set(set, "t", "{\"a\": true}", NULL, NULL);
	assert_string_equal(s, "x");
	free(s);
	tpl_set_free(set);
}

static void test_bad_file_in_set_fails_whole_set(void **state)
{
	static const struct embedded_file files[] = {
		TFILE("good.html", "fine"),
		TFILE("bad.html", "{{#x}}"),
		TEND,
	};
	struct tpl_set *set = NULL;

	(void)state;
	assert_int_equal(tpl_set_load(files, &set), VG_INVAL);
	assert_null(set);
}

static void test_unknown_template(void **state)
{
	struct tpl_set *set = load_one("x");
	json_t *data = json_object();
	struct buf out;

	(void)state;
	buf_init(&out, 64);
	assert_int_equal(tpl_render(set, "nope", data, NULL, NULL, &out),
			 VG_NOTFOUND);
	assert_int_equal(tpl_render(set, "t.html", data, NULL, NULL, &out),
			 VG_NOTFOUND);
	assert_int_equal(tpl_render(set, "t", data, NULL, NULL, &out), VG_OK);
	assert_string_equal(buf_str(&out), "x");
	buf_release(&out);
	json_decref(data);
	tpl_set_free(set);
}

static void test_output_limit(void **state)
{
	struct tpl_set *set = load_one("{{#xs}}{{.}}{{/xs}}");
	json_t *data = json_pack("{s:[s,s,s]}", "xs", "aaaa", "bbbb", "cccc");
	struct buf out;

	(void)state;
	assert_non_null(data);
	buf_init(&out, 10);
	assert_int_equal(buf_adds(&out, "ok"), VG_OK);
	assert_int_equal(tpl_render(set, "t", data, NULL, NULL, &out), VG_TOOBIG);
	/* The buffer is as it was before the failed render. */
	assert_string_equal(buf_str(&out), "ok");
	buf_reset(&out);
	json_array_remove(json_object_get(data, "xs"), 2);
	assert_int_equal(tpl_render(set, "t", data, NULL, NULL, &out), VG_OK);
	assert_string_equal(buf_str(&out), "aaaabbbb");
	buf_release(&out);
	json_decref(data);
	tpl_set_free(set);
}

/*
 * The project's own pages: they must load, and each must render with the
 * data its handler passes, obeying the content security policy (no inline
 * script or style) and escaping what users typed.
 */
static const char common_json[] =
	"\"lang\": \"en\", \"path\": \"/x\", \"title\": \"T<itle>\","
	"\"quick_exit_url\": \"https://weather.example/\","
	"\"langs\": [{\"code\": \"en\", \"name\": \"English\", \"current\": true},"
	"{\"code\": \"es\", \"name\": \"Espa\\u00f1ol\", \"current\": false}],"
	"\"staff\": {\"name\": \"Ana <b>\", \"role\": \"advocate\"},"
	"\"csrf\": \"tok\\\"en\","
	"\"help\": {\"country\": \"US\", \"country_name\": \"Testland\", \"lines\": ["
	"{\"name\": \"Example <line>\", \"emergency\": true, \"open_now\": true,"
	" \"phones\": [{\"href\": \"tel:+15555550142\", \"written\": \"555-0142\"}]}]},"
	"\"footer\": {\"country\": \"US\", \"country_name\": \"Testland\", \"lines\": ["
	"{\"name\": \"Footer <line>\", \"phones\": [{\"href\": \"tel:+15555550199\","
	" \"written\": \"555-0199\"}]}]}";

struct page_case {
	const char *name;
	bool public_page;
	const char *json;      /* the page's own keys */
	const char *expect[6]; /* substrings the page must hold */
};

static const struct page_case page_cases[] = {
	{ "home", true, "", { "href=\"/report\"", "href=\"/help\"" } },
	{ "report", true,
	  "\"countries\": [{\"code\": \"US\", \"name\": \"United States\", "
	  "\"selected\": true}],"
	  "\"languages\": [{\"code\": \"es\", \"name\": \"Spanish\", "
	  "\"selected\": true}],"
	  "\"form\": {\"narrative\": \"<script>x</script>\", \"danger_yes\": true,"
	  " \"may_contact\": true},"
	  "\"errors\": [{\"field\": \"narrative\", \"message\": \"Say more\"}],"
	  "\"field_errors\": {\"narrative\": \"Say more\"}",
	  { "role=\"alert\"", "href=\"#narrative\"",
	    "&lt;script&gt;x&lt;/script&gt;</textarea>",
	    "<option value=\"US\" selected>", "value=\"yes\" checked",
	    "aria-invalid=\"true\"" } },
	{ "report_done", true,
	  "\"receipt\": \"48219 93011 77204 56618 30952\", \"danger_now\": true",
	  { "48219 93011 77204 56618 30952", "href=\"/check\"",
	    "You said someone is in danger right now", "button-danger\" href=\"tel:+15555550142\"" } },
	{ "check", true, "\"not_found\": true",
	  { "action=\"/check\"", "inputmode=\"numeric\"",
	    "We could not find a report with that receipt." } },
	{ "check_view", true,
	  "\"receipt\": \"48219 93011\", \"status_label\": \"Open\","
	  "\"created\": \"2024-05-01\", \"added\": true, \"error\": \"Too long\","
	  "\"messages\": [{\"from_staff\": true, \"at\": \"2024-05-02\","
	  " \"body\": \"Hello <i>\"}]",
	  { "action=\"/check/add\"", "value=\"48219 93011\"",
	    "Hello &lt;i&gt;", "Too long" } },
	{ "help", true, "\"countries\": [{\"code\": \"US\", \"name\": \"Testland\", \"selected\": true}]",
	  { "button-danger\" href=\"tel:+15555550142\"", "Open now", "Help lines in Testland",
	    "<option value=\"US\" selected>", "action=\"/help\"" } },
	{ "error", true, "\"status\": 404, \"message\": \"Not found\"",
	  { "404", "Not found", "href=\"/\"" } },
	{ "throttled", true, "", { "Too many requests", "button-danger\" href=\"tel:+15555550142\"" } },
	{ "staff_login", false, "\"error\": true, \"expired\": true",
	  { "action=\"/staff/login\"", "Wrong name or password",
	    "name=\"csrf\" value=\"tok&quot;en\"" } },
	{ "staff_password", false, "\"error\": \"Too short\"",
	  { "action=\"/staff/password\"", "Too short", "name=\"confirm\"" } },
	{ "staff_queue", false,
	  "\"statuses\": [{\"value\": \"\", \"label\": \"All\"}],"
	  "\"tips\": [{\"id\": 7, \"created\": \"2024-05-01\", \"status\": \"new\","
	  " \"status_label\": \"New\", \"where\": \"Reno\", \"danger_now\": true,"
	  " \"excerpt\": \"<b>x\"}], \"next\": \"/staff?page=2\"",
	  { "href=\"/staff/tips/7\"", "&lt;b&gt;x", "href=\"/staff?page=2\"",
	    "Ana &lt;b&gt;", "action=\"/staff/logout\"" } },
	{ "staff_tip", false,
	  "\"tip\": {\"id\": 7, \"narrative_parts\": [{\"text\": \"line1\\n<img>\","
	  " \"mark\": false}, {\"text\": \"held <b>\", \"mark\": true, \"categories\":"
	  " \"means.restricts_movement\"}], \"danger_now\": true},"
	  "\"screen\": {\"status\": \"likely\", \"status_label\": \"Likely\","
	  " \"urgency\": \"crisis\", \"has_indicators\": true, \"indicators\":"
	  " [{\"quote\": \"held <b>\", \"category\": \"means.restricts_movement\"}]},"
	  "\"statuses\": [{\"value\": \"open\", \"label\": \"Open\","
	  " \"selected\": true}], \"notice\": \"Saved\","
	  "\"messages\": [{\"from_staff\": false, \"at\": \"x\", \"body\": \"b\"}]",
	  { "action=\"/staff/tips/7/status\"", "action=\"/staff/tips/7/reply\"",
	    "line1\n&lt;img&gt;<mark title=\"means.restricts_movement\">held &lt;b&gt;</mark>",
	    "<span class=\"badge badge-likely\">Likely</span>", "Saved",
	    "<option value=\"open\" selected>" } },
	{ "case_work", false,
	  "\"work\": {\"case_id\": \"c1\", \"back\": \"work\", \"overdue_count\": 1,"
	  " \"notes\": [{\"author\": \"ana\", \"when\": \"x\", \"body\": \"<b>note</b>\"}],"
	  " \"tasks\": [{\"id\": \"t1\", \"case_id\": \"c1\", \"title\": \"Respond <now>\","
	  " \"due\": \"2024-05-02\", \"overdue\": true, \"auto\": true}],"
	  " \"assignment\": {\"user\": \"ana\", \"team\": null}, \"can_work\": true,"
	  " \"can_assign\": true, \"users\": [{\"value\": \"ana\", \"label\": \"ana\","
	  " \"selected\": true}], \"teams\": [], \"owners\": [], \"owner_teams\": []}",
	  { "class=\"task task-overdue\"", ">Overdue<", "&lt;b&gt;note&lt;/b&gt;",
	    "action=\"/staff/cases/c1/notes\"", "<option value=\"ana\" selected>",
	    "Respond &lt;now&gt;" } },
	{ "case_work_tasks", false,
	  "\"list\": true, \"overdue_count\": 0, \"can_manage_teams\": true,"
	  " \"tasks\": [{\"id\": \"t2\", \"case_id\": \"c2\", \"title\": \"Call\","
	  " \"done\": true, \"can_work\": true, \"back\": \"work\"}]",
	  { "href=\"/staff/cases/c2\"", "task task-done", "name=\"done\" value=\"0\"",
	    "href=\"/staff/teams\"" } },
	{ "case_work_teams", false,
	  "\"teams\": [{\"id\": 1, \"name\": \"north\", \"team_name\": \"north\", \"kind\": \"staff\","
	  " \"members\": [{\"name\": \"ben\", \"role\": \"advocate\", \"agency\": \"Probation\"}]}],"
	  " \"users\": [{\"value\": \"ana\", \"label\": \"ana\"}]",
	  { "ben (advocate) · Probation", "name=\"team\" value=\"north\"",
	    "action=\"/staff/teams\"", "<label for=\"member-1\">" } },
};

static void check_csp_safe(const char *page, const char *html)
{
	static const char script[] =
		"<script src=\"/static/exit.js\" defer></script>";
	const char *p;

	assert_null(strstr(html, "<style"));
	assert_null(strstr(html, " style="));
	assert_null(strstr(html, "javascript:"));
	assert_null(strstr(html, "{{"));
	for (p = html; (p = strstr(p, "<script")); p++) {
		if (strncmp(p, script, sizeof(script) - 1))
			fail_msg("%s: inline or foreign script", page);
	}
	for (p = html; (p = strstr(p, " on")); p++) {
		const char *q = p + 3;

		while (*q >= 'a' && *q <= 'z')
			q++;
		if (q > p + 3 && *q == '=')
			fail_msg("%s: inline event handler", page);
	}
	for (p = html; (p = strstr(p, "src=\"")); p++)
		if (strncmp(p + 5, "/", 1) || !strncmp(p + 5, "//", 2))
			fail_msg("%s: resource from another host", page);
}

/* Each visible field on a page has a label tied to it by id. */
static void check_labels(const char *page, const char *html)
{
	static const char *const tags[] = { "<input", "<textarea", "<select" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tags); i++) {
		const char *p;

		for (p = html; (p = strstr(p, tags[i])); p++) {
			const char *end = strchr(p, '>');
			const char *id = strstr(p, " id=\"");
			char label[96];
			int idlen;

			assert_non_null(end);
			if (memmem(p, (size_t)(end - p), "type=\"hidden\"", 13))
				continue;
			if (!id || id > end)
				fail_msg("%s: a field without id", page);
			id += 5;
			idlen = (int)(strchr(id, '"') - id);
			snprintf(label, sizeof(label), "<label for=\"%.*s\">",
				 idlen, id);
			if (!strstr(html, label))
				fail_msg("%s: no label for #%.*s", page, idlen, id);
		}
	}
}

static void test_project_pages(void **state)
{
	struct tpl_set *set = NULL;
	size_t i, j;

	(void)state;
	assert_int_equal(tpl_set_load(embedded_templates, &set), VG_OK);
	for (i = 0; i < ARRAY_SIZE(page_cases); i++) {
		const struct page_case *c = &page_cases[i];
		char json[4096];
		char *html;

		snprintf(json, sizeof(json), "{%s%s%s}", common_json,
			 c->json[0] ? "," : "", c->json);
		html = render_set(set, c->name, json, NULL, NULL);
		assert_non_null(strstr(html, "<!doctype html>"));
		assert_non_null(strstr(html, "<html lang=\"en\""));
		assert_non_null(strstr(html, "<title>T&lt;itle&gt;"));
		assert_non_null(strstr(html, "<main"));
		assert_non_null(strstr(html, "href=\"/static/style.css\""));
		if (c->public_page) {
			assert_non_null(strstr(html,
				"<a id=\"quick-exit\" class=\"quick-exit\" "
				"href=\"https://weather.example/\" rel=\"noreferrer\">"));
			assert_non_null(strstr(html,
				"href=\"/x?lang=es\" lang=\"es\" hreflang=\"es\">"));
			assert_non_null(strstr(html, "href=\"tel:+15555550199\">555-0199</a>"));
			assert_non_null(strstr(html, "Footer &lt;line&gt;"));
		}
		for (j = 0; j < ARRAY_SIZE(c->expect) && c->expect[j]; j++)
			if (!strstr(html, c->expect[j]))
				fail_msg("%s lacks %s", c->name, c->expect[j]);
		check_csp_safe(c->name, html);
		check_labels(c->name, html);
		free(html);
	}
	tpl_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_every_special),
		cmocka_unit_test(test_escape_limit),
		cmocka_unit_test(test_var_escaped_in_text_and_attribute),
		cmocka_unit_test(test_xss_payload_inert),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_dotted_names),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_inverted),
		cmocka_unit_test(test_nested_scopes),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_partial_recursion_bounded),
		cmocka_unit_test(test_translate),
		cmocka_unit_test(test_malformed_rejected),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_nul_byte_rejected),
		cmocka_unit_test(test_nesting_at_limit_accepted),
		cmocka_unit_test(test_bad_file_in_set_fails_whole_set),
		cmocka_unit_test(test_unknown_template),
		cmocka_unit_test(test_output_limit),
		cmocka_unit_test(test_project_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
