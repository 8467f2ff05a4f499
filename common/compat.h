#ifndef VENV_COMPAT_H
#define VENV_COMPAT_H

/*
 * Included first by every .c file of the project: it sets the feature
 * macros before any system header is seen, pulls in the headers nearly
 * every file needs, and finally bans unsafe functions.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1
#endif
#if !defined(__linux__) && !defined(_DARWIN_C_SOURCE) && defined(__APPLE__)
#define _DARWIN_C_SOURCE 1
#endif

#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

#if defined(__GNUC__) || defined(__clang__)
#ifndef VENV_PRINTF
#define VENV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif
#define VENV_NORETURN __attribute__((noreturn))
#define VENV_UNUSED __attribute__((unused))
#else
#ifndef VENV_PRINTF
#define VENV_PRINTF(f, a)
#endif
#define VENV_NORETURN
#define VENV_UNUSED
#endif

#define VENV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "banned.h"

#endif
