#include "base/compat.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/keys.h"

/*
 * The master key is 32 bytes written as 64 lower-case hex digits and a
 * newline: easy to back up on paper and to check by eye, and a file of any
 * other shape is refused rather than guessed at.
 */
#define MASTER_HEX_LEN (2 * KEYS_LEN)
#define MASTER_FILE_LEN (MASTER_HEX_LEN + 1)

/* The crypto_kdf context; exactly crypto_kdf_CONTEXTBYTES characters. */
static const char kdf_context[] = "vigilkey";

/* Subkey ids; fixed forever, since changing one loses the data it protects. */
enum {
	SUBKEY_FIELD = 1,
	SUBKEY_INDEX = 2,
	SUBKEY_CSRF = 3,
	SUBKEY_AUDIT = 4,
};

_Static_assert(KEYS_LEN == crypto_kdf_KEYBYTES, "master key size");
_Static_assert(KEYS_LEN >= crypto_kdf_BYTES_MIN &&
		       KEYS_LEN <= crypto_kdf_BYTES_MAX,
	       "subkey size");
_Static_assert(sizeof(kdf_context) - 1 == crypto_kdf_CONTEXTBYTES,
	       "kdf context size");

/* Writes all of buf, retrying short writes and interrupted calls. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return VG_IO;
		}
		buf += n;
		len -= (size_t)n;
	}
	return VG_OK;
}

/*
 * Makes the new directory entry durable: without this a crash right after
 * keys_create() could lose the file although its contents were synced, and
 * with it every value encrypted under the key.
 */
static int sync_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dir = ".";
	char *copy = NULL;
	size_t len;
	int fd, rc = VG_IO;

	if (slash) {
		len = slash == path ? 1 : (size_t)(slash - path);
		copy = malloc(len + 1);
		if (!copy)
			return VG_NOMEM;
		memcpy(copy, path, len);
		copy[len] = '\0';
		dir = copy;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	if (fsync(fd) == 0)
		rc = VG_OK;
	close(fd);
out:
	free(copy);
	return rc;
}

int keys_create(const char *path)
{
	unsigned char master[KEYS_LEN];
	char text[MASTER_FILE_LEN + 1];
	int fd, rc;

	assert(path);
	if (sodium_init() < 0)
		return VG_CRYPTO;
	/*
	 * O_EXCL makes "never overwrite a key" atomic, and O_NOFOLLOW refuses a
	 * symlink planted where the key should go. The mode can only be
	 * narrowed by the umask, never widened.
	 */
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
		  S_IRUSR | S_IWUSR);
	if (fd < 0)
		return errno == EEXIST ? VG_EXISTS : VG_IO;

	randombytes_buf(master, sizeof(master));
	sodium_bin2hex(text, sizeof(text), master, sizeof(master));
	text[MASTER_HEX_LEN] = '\n';
	rc = write_all(fd, text, MASTER_FILE_LEN);
	if (!rc && fsync(fd) != 0)
		rc = VG_IO;
	if (close(fd) != 0 && !rc)
		rc = VG_IO;
	if (!rc)
		rc = sync_parent_dir(path);
	/*
	 * A partly written key file would make the next start fail with a
	 * malformed key and block a retry, so it is removed. Nothing can have
	 * been encrypted under it yet.
	 */
	if (rc)
		unlink(path);
	sodium_memzero(master, sizeof(master));
	sodium_memzero(text, sizeof(text));
	return rc;
}

/* Reads at most cap bytes, stopping early only at end of file. */
static int read_upto(int fd, char *buf, size_t cap, size_t *got)
{
	size_t len = 0;

	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return VG_IO;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*got = len;
	return VG_OK;
}

/* True when s holds exactly len lower-case hex digits. */
static bool is_lower_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int keys_load(const char *path, struct keys *out)
{
	unsigned char master[KEYS_LEN];
	/* One byte more than a valid file, to notice trailing data. */
	char text[MASTER_FILE_LEN + 1];
	struct keys k;
	struct stat st;
	size_t got = 0, bin_len = 0;
	int fd, rc;

	assert(path && out);
	if (sodium_init() < 0)
		return VG_CRYPTO;
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return VG_IO;
	/* fstat on the open descriptor checks the very file that is read. */
	if (fstat(fd, &st) != 0) {
		rc = VG_IO;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & (S_IRWXG | S_IRWXO))) {
		rc = VG_CONFIG;
		goto out;
	}
	rc = read_upto(fd, text, sizeof(text), &got);
	if (rc)
		goto out;
	if (got != MASTER_FILE_LEN || text[MASTER_HEX_LEN] != '\n' ||
	    !is_lower_hex(text, MASTER_HEX_LEN)) {
		rc = VG_CONFIG;
		goto out;
	}
	if (sodium_hex2bin(master, sizeof(master), text, MASTER_HEX_LEN, NULL,
			   &bin_len, NULL) != 0 ||
	    bin_len != sizeof(master)) {
		rc = VG_CONFIG;
		goto out;
	}
	if (crypto_kdf_derive_from_key(k.field, sizeof(k.field), SUBKEY_FIELD,
				       kdf_context, master) != 0 ||
	    crypto_kdf_derive_from_key(k.index, sizeof(k.index), SUBKEY_INDEX,
				       kdf_context, master) != 0 ||
	    crypto_kdf_derive_from_key(k.csrf, sizeof(k.csrf), SUBKEY_CSRF,
				       kdf_context, master) != 0 ||
	    crypto_kdf_derive_from_key(k.audit, sizeof(k.audit), SUBKEY_AUDIT,
				       kdf_context, master) != 0) {
		rc = VG_CRYPTO;
		goto out;
	}
	memcpy(out, &k, sizeof(k));
	rc = VG_OK;
out:
	close(fd);
	sodium_memzero(master, sizeof(master));
	sodium_memzero(text, sizeof(text));
	sodium_memzero(&k, sizeof(k));
	return rc;
}

void keys_release(struct keys *k)
{
	assert(k);
	sodium_memzero(k, sizeof(*k));
}
