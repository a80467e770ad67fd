#include "base/compat.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "crypto/keys.h"
#include "crypto/password.h"
#include "crypto/receipt.h"
#include "crypto/seal.h"
#include "crypto/token.h"

/*
 * Every test gets its own directory under /tmp (made by setup, emptied and
 * removed by teardown) and, where it needs keys, a fresh key file in it.
 */
struct fixture {
	char dir[64];
	char path[128];
	struct keys keys;
};

static void path_in(const struct fixture *f, const char *name, char *out,
		    size_t size)
{
	int n = snprintf(out, size, "%s/%s", f->dir, name);

	assert_true(n > 0 && (size_t)n < size);
}

static void write_file(const char *path, const char *data, size_t len,
		       mode_t mode)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/vigil-test-crypto-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/master.key", f->dir);
	if (keys_create(f->path) || keys_load(f->path, &f->keys)) {
		unlink(f->path);
		rmdir(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct dirent *de;
	char path[512];
	DIR *d;

	keys_release(&f->keys);
	d = opendir(f->dir);
	if (d) {
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(path, sizeof(path), "%s/%s", f->dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ASCII only, whatever the locale says. */
static bool is_ascii_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

static bool keys_same(const struct keys *a, const struct keys *b)
{
	return !memcmp(a->field, b->field, KEYS_LEN) &&
	       !memcmp(a->index, b->index, KEYS_LEN) &&
	       !memcmp(a->csrf, b->csrf, KEYS_LEN);
}

/* ---- keys ---- */

static void test_keys_create_file(void **state)
{
	struct fixture *f = *state;
	char text[80];
	struct stat st;
	ssize_t n;
	size_t i;
	int fd;

	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);

	fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, text, sizeof(text));
	close(fd);
	assert_int_equal(n, 65);
	for (i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", text[i]));
	assert_int_equal(text[64], '\n');
}

static void test_keys_create_refuses_overwrite(void **state)
{
	struct fixture *f = *state;
	struct keys again;

	assert_int_equal(keys_create(f->path), VG_EXISTS);
	/* The refused create left the key as it was. */
	assert_int_equal(keys_load(f->path, &again), VG_OK);
	assert_true(keys_same(&f->keys, &again));
	keys_release(&again);
}

static void test_keys_load_derives(void **state)
{
	struct fixture *f = *state;
	struct keys same, other;
	char path[128];

	assert_int_equal(keys_load(f->path, &same), VG_OK);
	assert_true(keys_same(&f->keys, &same));
	/* The three purposes never share a key. */
	assert_memory_not_equal(same.field, same.index, KEYS_LEN);
	assert_memory_not_equal(same.field, same.csrf, KEYS_LEN);
	assert_memory_not_equal(same.index, same.csrf, KEYS_LEN);

	path_in(f, "other.key", path, sizeof(path));
	assert_int_equal(keys_create(path), VG_OK);
	assert_int_equal(keys_load(path, &other), VG_OK);
	assert_memory_not_equal(other.field, same.field, KEYS_LEN);
	assert_memory_not_equal(other.index, same.index, KEYS_LEN);
	assert_memory_not_equal(other.csrf, same.csrf, KEYS_LEN);
	keys_release(&same);
	keys_release(&other);
}

static void test_keys_load_known_key(void **state)
{
	struct fixture *f = *state;
	static const char hex[] =
		"000102030405060708090a0b0c0d0e0f"
		"101112131415161718191a1b1c1d1e1f\n";
	unsigned char master[KEYS_LEN], want[KEYS_LEN];
	struct keys k;
	char path[128];
	size_t i;

	/* The derivation is part of the on-disk contract: pin it. */
	for (i = 0; i < KEYS_LEN; i++)
		master[i] = (unsigned char)i;
	path_in(f, "known.key", path, sizeof(path));
	write_file(path, hex, sizeof(hex) - 1, 0600);
	assert_int_equal(keys_load(path, &k), VG_OK);
	assert_int_equal(crypto_kdf_derive_from_key(want, KEYS_LEN, 1, "vigilkey", master), 0);
	assert_memory_equal(k.field, want, KEYS_LEN);
	assert_int_equal(crypto_kdf_derive_from_key(want, KEYS_LEN, 2, "vigilkey", master), 0);
	assert_memory_equal(k.index, want, KEYS_LEN);
	assert_int_equal(crypto_kdf_derive_from_key(want, KEYS_LEN, 3, "vigilkey", master), 0);
	assert_memory_equal(k.csrf, want, KEYS_LEN);
	keys_release(&k);
}

static void test_keys_load_rejects_open_mode(void **state)
{
	struct fixture *f = *state;
	static const mode_t modes[] = { 0644, 0640, 0604, 0660, 0601, 0610 };
	struct keys k;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		assert_int_equal(chmod(f->path, modes[i]), 0);
		memset(&k, 0xa5, sizeof(k));
		assert_int_equal(keys_load(f->path, &k), VG_CONFIG);
		/* Output is untouched on failure. */
		assert_int_equal(k.field[0], 0xa5);
		assert_int_equal(k.csrf[KEYS_LEN - 1], 0xa5);
	}
	assert_int_equal(chmod(f->path, 0400), 0);
	assert_int_equal(keys_load(f->path, &k), VG_OK);
	assert_true(keys_same(&f->keys, &k));
	keys_release(&k);
}

static void test_keys_load_rejects_malformed(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
		"",
		"\n",
		/* 63 digits */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1\n",
		/* 65 digits */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0\n",
		/* no newline */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		/* a space in place of the newline */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f ",
		/* two newlines */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n\n",
		/* CRLF */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\r\n",
		/* upper case */
		"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\n",
		/* not hex */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g\n",
		/* leading space */
		" 00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
	};
	struct keys k;
	char path[128];
	size_t i;

	path_in(f, "bad.key", path, sizeof(path));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		write_file(path, bad[i], strlen(bad[i]), 0600);
		memset(&k, 0x5a, sizeof(k));
		assert_int_equal(keys_load(path, &k), VG_CONFIG);
		assert_int_equal(k.index[0], 0x5a);
	}
	path_in(f, "missing.key", path, sizeof(path));
	assert_int_equal(keys_load(path, &k), VG_IO);
	/* A directory is not a key file. */
	assert_int_equal(keys_load(f->dir, &k), VG_CONFIG);
}

static void test_keys_release_zeroes(void **state)
{
	struct fixture *f = *state;
	static const unsigned char zero[KEYS_LEN];
	struct keys k;

	assert_int_equal(keys_load(f->path, &k), VG_OK);
	keys_release(&k);
	assert_memory_equal(k.field, zero, KEYS_LEN);
	assert_memory_equal(k.index, zero, KEYS_LEN);
	assert_memory_equal(k.csrf, zero, KEYS_LEN);
}

/* ---- seal ---- */

static void test_seal_round_trip(void **state)
{
	struct fixture *f = *state;
	static const char msg[] = "Tip from a synthetic reporter, call 555-0142.";
	static const char binary[] = { 'a', '\0', 'b', '\xff', '\0' };
	unsigned char *ct = NULL, *ct2 = NULL;
	size_t ct_len = 0, ct2_len = 0, pt_len = 0;
	char *pt = NULL;

	assert_int_equal(seal_encrypt(&f->keys, "tips/body/1", msg, strlen(msg),
				      &ct, &ct_len), VG_OK);
	assert_int_equal(ct_len, strlen(msg) + SEAL_OVERHEAD);
	assert_int_equal(ct[0], 1);
	/* The plaintext does not show through. */
	assert_null(memmem(ct, ct_len, "555-0142", 8));
	assert_int_equal(seal_decrypt(&f->keys, "tips/body/1", ct, ct_len, &pt,
				      &pt_len), VG_OK);
	assert_int_equal(pt_len, strlen(msg));
	assert_string_equal(pt, msg);
	free(pt);

	/* A fresh nonce each time: the same value never seals the same way. */
	assert_int_equal(seal_encrypt(&f->keys, "tips/body/1", msg, strlen(msg),
				      &ct2, &ct2_len), VG_OK);
	assert_int_equal(ct2_len, ct_len);
	assert_memory_not_equal(ct, ct2, ct_len);
	free(ct);
	free(ct2);

	/* Embedded NULs survive; the terminator comes after them. */
	assert_int_equal(seal_encrypt(&f->keys, "x", binary, sizeof(binary),
				      &ct, &ct_len), VG_OK);
	assert_int_equal(seal_decrypt(&f->keys, "x", ct, ct_len, &pt, &pt_len),
			 VG_OK);
	assert_int_equal(pt_len, sizeof(binary));
	assert_memory_equal(pt, binary, sizeof(binary));
	assert_int_equal(pt[pt_len], '\0');
	free(pt);
	free(ct);
}

static void test_seal_empty(void **state)
{
	struct fixture *f = *state;
	unsigned char *ct = NULL;
	size_t ct_len = 0, pt_len = 99;
	char *pt = NULL;

	assert_int_equal(seal_encrypt(&f->keys, "tips/note/7", "", 0, &ct,
				      &ct_len), VG_OK);
	assert_int_equal(ct_len, SEAL_OVERHEAD);
	assert_int_equal(seal_decrypt(&f->keys, "tips/note/7", ct, ct_len, &pt,
				      &pt_len), VG_OK);
	assert_int_equal(pt_len, 0);
	assert_string_equal(pt, "");
	free(pt);
	free(ct);
}

static void test_seal_tamper(void **state)
{
	struct fixture *f = *state;
	static const char msg[] = "synthetic tip text";
	static const unsigned char flips[] = { 0x01, 0x80, 0xff };
	unsigned char *ct = NULL;
	size_t ct_len = 0, pt_len = 0, i, j;
	char *pt = NULL;
	int rc;

	assert_int_equal(seal_encrypt(&f->keys, "tips/body/3", msg, strlen(msg),
				      &ct, &ct_len), VG_OK);
	for (i = 0; i < ct_len; i++) {
		for (j = 0; j < ARRAY_SIZE(flips); j++) {
			ct[i] ^= flips[j];
			pt = NULL;
			rc = seal_decrypt(&f->keys, "tips/body/3", ct, ct_len,
					  &pt, &pt_len);
			/* The version byte is format; the rest is authenticated. */
			assert_int_equal(rc, i == 0 ? VG_INVAL : VG_CRYPTO);
			assert_null(pt);
			ct[i] ^= flips[j];
		}
	}
	/* Every truncation fails, short ones as malformed. */
	for (i = 0; i < ct_len; i++) {
		rc = seal_decrypt(&f->keys, "tips/body/3", ct, i, &pt, &pt_len);
		assert_int_equal(rc, i < SEAL_OVERHEAD ? VG_INVAL : VG_CRYPTO);
	}
	/* The untouched value still opens after all that. */
	assert_int_equal(seal_decrypt(&f->keys, "tips/body/3", ct, ct_len, &pt,
				      &pt_len), VG_OK);
	assert_string_equal(pt, msg);
	free(pt);
	free(ct);
}

static void test_seal_wrong_place_or_key(void **state)
{
	struct fixture *f = *state;
	static const char msg[] = "synthetic tip text";
	unsigned char *ct = NULL;
	size_t ct_len = 0, pt_len = 0;
	struct keys other;
	char *pt = NULL;
	char path[128];

	assert_int_equal(seal_encrypt(&f->keys, "tips/body/12", msg, strlen(msg),
				      &ct, &ct_len), VG_OK);
	/* Copied to another row, another column, or given no place. */
	assert_int_equal(seal_decrypt(&f->keys, "tips/body/13", ct, ct_len, &pt,
				      &pt_len), VG_CRYPTO);
	assert_int_equal(seal_decrypt(&f->keys, "tips/body/1", ct, ct_len, &pt,
				      &pt_len), VG_CRYPTO);
	assert_int_equal(seal_decrypt(&f->keys, "tips/note/12", ct, ct_len, &pt,
				      &pt_len), VG_CRYPTO);
	assert_int_equal(seal_decrypt(&f->keys, "", ct, ct_len, &pt, &pt_len),
			 VG_CRYPTO);
	assert_null(pt);

	path_in(f, "other.key", path, sizeof(path));
	assert_int_equal(keys_create(path), VG_OK);
	assert_int_equal(keys_load(path, &other), VG_OK);
	assert_int_equal(seal_decrypt(&other, "tips/body/12", ct, ct_len, &pt,
				      &pt_len), VG_CRYPTO);
	assert_null(pt);
	keys_release(&other);
	free(ct);
}

/* ---- receipts ---- */

static void assert_all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_true(s[i] >= '0' && s[i] <= '9');
}

static void test_receipt_generate(void **state)
{
	char a[RECEIPT_DIGITS + 1], b[RECEIPT_DIGITS + 1];
	unsigned seen = 0;
	size_t i, j;

	(void)state;
	receipt_generate(a);
	receipt_generate(b);
	assert_int_equal(strlen(a), RECEIPT_DIGITS);
	assert_all_digits(a, RECEIPT_DIGITS);
	assert_string_not_equal(a, b);
	/* Over 2500 digits every value turns up (a miss has odds ~1e-114). */
	for (i = 0; i < 100; i++) {
		receipt_generate(a);
		assert_int_equal(strlen(a), RECEIPT_DIGITS);
		for (j = 0; j < RECEIPT_DIGITS; j++) {
			assert_true(a[j] >= '0' && a[j] <= '9');
			seen |= 1u << (a[j] - '0');
		}
	}
	assert_int_equal(seen, 0x3ff);
}

static void test_receipt_format(void **state)
{
	char text[RECEIPT_TEXT_SIZE], digits[RECEIPT_DIGITS + 1];

	(void)state;
	receipt_format("4821993011772045661830952", text);
	assert_string_equal(text, "48219 93011 77204 56618 30952");

	receipt_generate(digits);
	receipt_format(digits, text);
	assert_int_equal(strlen(text), RECEIPT_TEXT_SIZE - 1);
	assert_true(text[5] == ' ' && text[11] == ' ' && text[17] == ' ' &&
		    text[23] == ' ');
}

static int parse(const char *s, char digits[RECEIPT_DIGITS + 1])
{
	return receipt_parse(s, strlen(s), digits);
}

static void test_receipt_parse_accepts(void **state)
{
	static const char *const good[] = {
		"48219 93011-77204.56618 30952",
		"4821993011772045661830952",
		"48219 93011 77204 56618 30952",
		"  48219-93011-77204-56618-30952\r\n",
		"\t48219..93011 - 77204 . 56618   30952 \n",
		"4 8 2 1 9 9 3 0 1 1 7 7 2 0 4 5 6 6 1 8 3 0 9 5 2",
	};
	char digits[RECEIPT_DIGITS + 1], text[RECEIPT_TEXT_SIZE];
	char again[RECEIPT_DIGITS + 1];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		memset(digits, 'x', sizeof(digits));
		assert_int_equal(parse(good[i], digits), VG_OK);
		assert_string_equal(digits, "4821993011772045661830952");
	}
	/* What format writes, parse reads back. */
	receipt_generate(digits);
	receipt_format(digits, text);
	assert_int_equal(parse(text, again), VG_OK);
	assert_string_equal(again, digits);
}

static void test_receipt_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"   ",
		"48219 93011 77204 56618 3095",    /* 24 digits */
		"48219 93011 77204 56618 309521",  /* 26 digits */
		"4821993011772045661830952 4821993011772045661830952",
		"48219 93011 77204 56618 3095a",
		"48219 93O11 77204 56618 30952",   /* a letter O */
		"48219_93011_77204_56618_30952",
		"48219/93011 77204 56618 30952",
		"-48219 93011 77204 56618 30952",  /* '-' only between digits */
		"48219 93011 77204 56618 30952.",
		"48219 93011 77204 56618 30952 -",
		"48219\t93011 77204 56618 30952",  /* tab only at the ends */
		"48219 93011\n77204 56618 30952",
		"48219 93011 77204 56618 30952\n.",
		"48219-\t93011 77204 56618 30952",
		"48219 93011 77204 56618 30952-\t",
		"\331\2448219 93011 77204 56618 30952", /* Arabic-Indic four */
	};
	char digits[RECEIPT_DIGITS + 1];
	static const char with_nul[] = "48219 93011 77204\0 56618 30952";
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(digits, 'x', sizeof(digits));
		assert_int_equal(parse(bad[i], digits), VG_INVAL);
		/* Output is untouched on failure. */
		assert_int_equal(digits[0], 'x');
	}
	/* The length given is what counts, not a NUL inside it. */
	assert_int_equal(receipt_parse(with_nul, sizeof(with_nul) - 1, digits),
			 VG_INVAL);
	assert_int_equal(receipt_parse(NULL, 0, digits), VG_INVAL);
	/* Nor is anything past len read. */
	assert_int_equal(receipt_parse("4821993011772045661830952", 24, digits),
			 VG_INVAL);
}

static void test_receipt_index(void **state)
{
	struct fixture *f = *state;
	unsigned char a1[RECEIPT_INDEX_LEN], a2[RECEIPT_INDEX_LEN];
	unsigned char b[RECEIPT_INDEX_LEN], other_key[RECEIPT_INDEX_LEN];
	struct keys other;
	char path[128];

	receipt_index(&f->keys, "4821993011772045661830952", a1);
	receipt_index(&f->keys, "4821993011772045661830952", a2);
	assert_memory_equal(a1, a2, RECEIPT_INDEX_LEN);
	receipt_index(&f->keys, "4821993011772045661830953", b);
	assert_memory_not_equal(a1, b, RECEIPT_INDEX_LEN);

	path_in(f, "other.key", path, sizeof(path));
	assert_int_equal(keys_create(path), VG_OK);
	assert_int_equal(keys_load(path, &other), VG_OK);
	receipt_index(&other, "4821993011772045661830952", other_key);
	assert_memory_not_equal(a1, other_key, RECEIPT_INDEX_LEN);
	keys_release(&other);

	/*
	 * The index is stored, so its definition is pinned: keyed BLAKE2b-256
	 * over "receipt:" and the digits.
	 */
	assert_int_equal(crypto_generichash(b, sizeof(b),
			 (const unsigned char *)"receipt:4821993011772045661830952",
			 33, f->keys.index, KEYS_LEN), 0);
	assert_memory_equal(a1, b, RECEIPT_INDEX_LEN);

	/* Stable across loads of the same key file. */
	assert_int_equal(keys_load(f->path, &other), VG_OK);
	receipt_index(&other, "4821993011772045661830952", a2);
	assert_memory_equal(a1, a2, RECEIPT_INDEX_LEN);
	keys_release(&other);
}

/* ---- passwords ---- */

static void test_password_hash_verify(void **state)
{
	char hash[PASSWORD_HASH_SIZE], hash2[PASSWORD_HASH_SIZE];

	(void)state;
	assert_int_equal(password_hash("correct horse battery", hash), VG_OK);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_int_equal(password_verify(hash, "correct horse battery"), VG_OK);
	assert_int_equal(password_verify(hash, "correct horse batterY"), VG_AUTH);
	assert_int_equal(password_verify(hash, "correct horse batter"), VG_AUTH);
	assert_int_equal(password_verify(hash, ""), VG_AUTH);
	/* Salted: the same password never gives the same string. */
	assert_int_equal(password_hash("correct horse battery", hash2), VG_OK);
	assert_string_not_equal(hash, hash2);
	assert_int_equal(password_verify(hash2, "correct horse battery"), VG_OK);
	/* A damaged stored hash verifies nothing. */
	assert_int_equal(password_verify("$argon2id$v=19$garbage",
					 "correct horse battery"), VG_AUTH);
}

static void test_password_limits(void **state)
{
	char hash[PASSWORD_HASH_SIZE];
	char long_pw[PASSWORD_MAX_LEN + 2];

	(void)state;
	memset(hash, 'x', sizeof(hash));
	assert_int_equal(password_hash("elevenchars", hash), VG_INVAL);
	assert_int_equal(password_hash("", hash), VG_INVAL);
	assert_int_equal(hash[0], 'x');
	assert_int_equal(password_hash("twelve chars", hash), VG_OK);

	memset(long_pw, 'p', sizeof(long_pw));
	long_pw[PASSWORD_MAX_LEN + 1] = '\0';
	assert_int_equal(password_hash(long_pw, hash), VG_INVAL);
	long_pw[PASSWORD_MAX_LEN] = '\0';
	assert_int_equal(password_hash(long_pw, hash), VG_OK);
	assert_int_equal(password_verify(hash, long_pw), VG_OK);
}

static void test_password_dummy(void **state)
{
	(void)state;
	/*
	 * Its cost (one real Argon2 verification) is shown by the login
	 * benchmark, not here: tests must not time anything.
	 */
	assert_int_equal(password_verify_dummy("correct horse battery"), VG_AUTH);
	assert_int_equal(password_verify_dummy(""), VG_AUTH);
}

static void test_password_generate(void **state)
{
	char a[21], b[21], hash[PASSWORD_HASH_SIZE];
	size_t i;

	(void)state;
	assert_int_equal(password_generate(a), VG_OK);
	assert_int_equal(password_generate(b), VG_OK);
	assert_int_equal(strlen(a), 20);
	assert_string_not_equal(a, b);
	for (i = 0; i < 50; i++) {
		size_t j;

		assert_int_equal(password_generate(b), VG_OK);
		assert_int_equal(strlen(b), 20);
		for (j = 0; j < 20; j++) {
			assert_true(is_ascii_alnum(b[j]));
			assert_null(strchr("0O1lI", b[j]));
		}
	}
	/* A generated password is one that password_hash() takes. */
	assert_int_equal(password_hash(a, hash), VG_OK);
	assert_int_equal(password_verify(hash, a), VG_OK);
}

/* ---- tokens ---- */

static void assert_base64url(const char *s, size_t n)
{
	size_t i;

	assert_int_equal(strlen(s), n);
	for (i = 0; i < n; i++)
		assert_true(is_ascii_alnum(s[i]) || s[i] == '-' ||
			    s[i] == '_');
}

static void test_token_generate(void **state)
{
	enum { N = 64 };
	static char tokens[N][TOKEN_TEXT_SIZE];
	size_t i, j;

	(void)state;
	for (i = 0; i < N; i++) {
		token_generate(tokens[i]);
		assert_base64url(tokens[i], TOKEN_TEXT_SIZE - 1);
		for (j = 0; j < i; j++)
			assert_string_not_equal(tokens[i], tokens[j]);
	}
}

static void test_token_id(void **state)
{
	char a[TOKEN_ID_SIZE], b[TOKEN_ID_SIZE];
	size_t i;

	(void)state;
	token_id(a);
	token_id(b);
	assert_int_equal(strlen(a), TOKEN_ID_SIZE - 1);
	assert_string_not_equal(a, b);
	for (i = 0; i < TOKEN_ID_SIZE - 1; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
}

static void test_token_hash(void **state)
{
	unsigned char h1[TOKEN_HASH_LEN], h2[TOKEN_HASH_LEN];
	unsigned char want[TOKEN_HASH_LEN];
	char tok[TOKEN_TEXT_SIZE];

	(void)state;
	token_generate(tok);
	token_hash(tok, h1);
	token_hash(tok, h2);
	assert_memory_equal(h1, h2, TOKEN_HASH_LEN);
	/* The stored form is unkeyed BLAKE2b-256 of the token text. */
	crypto_generichash(want, sizeof(want), (const unsigned char *)tok,
			   strlen(tok), NULL, 0);
	assert_memory_equal(h1, want, TOKEN_HASH_LEN);
	tok[0] = tok[0] == 'A' ? 'B' : 'A';
	token_hash(tok, h2);
	assert_memory_not_equal(h1, h2, TOKEN_HASH_LEN);
}

static void test_token_csrf(void **state)
{
	struct fixture *f = *state;
	char s1[TOKEN_TEXT_SIZE], s2[TOKEN_TEXT_SIZE];
	char c1[TOKEN_TEXT_SIZE], c1b[TOKEN_TEXT_SIZE], c2[TOKEN_TEXT_SIZE];
	char other_c1[TOKEN_TEXT_SIZE], want[TOKEN_TEXT_SIZE];
	char input[5 + TOKEN_TEXT_SIZE];
	unsigned char mac[32];
	struct keys other;
	char path[128];

	token_generate(s1);
	token_generate(s2);
	token_csrf(&f->keys, s1, c1);
	token_csrf(&f->keys, s1, c1b);
	token_csrf(&f->keys, s2, c2);
	assert_base64url(c1, TOKEN_TEXT_SIZE - 1);
	assert_string_equal(c1, c1b);
	assert_string_not_equal(c1, c2);
	/* Keyed BLAKE2b-256 over "csrf:" and the secret, in base64url. */
	snprintf(input, sizeof(input), "csrf:%s", s1);
	assert_int_equal(crypto_generichash(mac, sizeof(mac),
			 (const unsigned char *)input, strlen(input),
			 f->keys.csrf, KEYS_LEN), 0);
	sodium_bin2base64(want, sizeof(want), mac, sizeof(mac),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_string_equal(c1, want);
	/* Not the secret itself, which must never appear in a page. */
	assert_string_not_equal(c1, s1);

	path_in(f, "other.key", path, sizeof(path));
	assert_int_equal(keys_create(path), VG_OK);
	assert_int_equal(keys_load(path, &other), VG_OK);
	token_csrf(&other, s1, other_c1);
	assert_string_not_equal(c1, other_c1);
	keys_release(&other);
}

static void test_token_equal(void **state)
{
	char t[TOKEN_TEXT_SIZE], u[TOKEN_TEXT_SIZE];

	(void)state;
	token_generate(t);
	memcpy(u, t, sizeof(t));
	assert_int_equal(token_equal(t, u), 1);
	u[TOKEN_TEXT_SIZE - 2] = u[TOKEN_TEXT_SIZE - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(token_equal(t, u), 0);
	u[0] = '\0';
	assert_int_equal(token_equal(t, u), 0);
	assert_int_equal(token_equal("abc", "abcd"), 0);
	assert_int_equal(token_equal("abcd", "abc"), 0);
	assert_int_equal(token_equal("abc", "abd"), 0);
	assert_int_equal(token_equal("abc", "abc"), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_keys_create_file),
		T(test_keys_create_refuses_overwrite),
		T(test_keys_load_derives),
		T(test_keys_load_known_key),
		T(test_keys_load_rejects_open_mode),
		T(test_keys_load_rejects_malformed),
		T(test_keys_release_zeroes),
		T(test_seal_round_trip),
		T(test_seal_empty),
		T(test_seal_tamper),
		T(test_seal_wrong_place_or_key),
		cmocka_unit_test(test_receipt_generate),
		cmocka_unit_test(test_receipt_format),
		cmocka_unit_test(test_receipt_parse_accepts),
		cmocka_unit_test(test_receipt_parse_rejects),
		T(test_receipt_index),
		cmocka_unit_test(test_password_hash_verify),
		cmocka_unit_test(test_password_limits),
		cmocka_unit_test(test_password_dummy),
		cmocka_unit_test(test_password_generate),
		cmocka_unit_test(test_token_generate),
		cmocka_unit_test(test_token_id),
		cmocka_unit_test(test_token_hash),
		T(test_token_csrf),
		cmocka_unit_test(test_token_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
