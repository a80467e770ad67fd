/*
 * compat.h - the first include of every .c file in vigil.
 *
 * It pulls in the C library headers the project uses everywhere and then
 * banned.h, so that the banned functions are compile errors in our code but
 * not in the system headers' own declarations (git's git-compat-util.h order).
 */
#ifndef VIGIL_COMPAT_H
#define VIGIL_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/status.h"
#include "base/banned.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
