#ifndef VENV_LA_H
#define VENV_LA_H

/*
 * libarchive, loaded when it is first needed.
 *
 * libarchive pulls in a dozen libraries (libxml2 and ICU among them) whose
 * loading costs more than creating a whole environment without pip, so the
 * venv binary does not link it: venv_la_load() opens it with dlopen() the
 * first time a wheel or an archive is read, and every call goes through
 * LA(archive_function)(...). Where the library's file name is not known at
 * build time, it is linked as usual and LA() calls it directly.
 *
 * Every public function that reaches libarchive calls venv_la_load() first.
 */
#include <archive.h>
#include <archive_entry.h>

#define VENV_LA_FUNCS(X) \
	X(archive_entry_clear) \
	X(archive_entry_filetype) \
	X(archive_entry_free) \
	X(archive_entry_hardlink) \
	X(archive_entry_mode) \
	X(archive_entry_mtime) \
	X(archive_entry_mtime_nsec) \
	X(archive_entry_new) \
	X(archive_entry_pathname) \
	X(archive_entry_pathname_utf8) \
	X(archive_entry_perm) \
	X(archive_entry_set_filetype) \
	X(archive_entry_set_gid) \
	X(archive_entry_set_hardlink) \
	X(archive_entry_set_mtime) \
	X(archive_entry_set_pathname) \
	X(archive_entry_set_perm) \
	X(archive_entry_set_size) \
	X(archive_entry_set_symlink) \
	X(archive_entry_set_uid) \
	X(archive_entry_size) \
	X(archive_entry_size_is_set) \
	X(archive_entry_symlink) \
	X(archive_errno) \
	X(archive_error_string) \
	X(archive_read_data) \
	X(archive_read_data_block) \
	X(archive_read_free) \
	X(archive_read_new) \
	X(archive_read_next_header) \
	X(archive_read_open_fd) \
	X(archive_read_open_filename) \
	X(archive_read_support_filter_gzip) \
	X(archive_read_support_filter_zstd) \
	X(archive_read_support_format_tar) \
	X(archive_read_support_format_zip_seekable) \
	X(archive_write_add_filter_gzip) \
	X(archive_write_add_filter_zstd) \
	X(archive_write_close) \
	X(archive_write_data) \
	X(archive_write_free) \
	X(archive_write_header) \
	X(archive_write_new) \
	X(archive_write_open_fd) \
	X(archive_write_set_format_pax) \

struct venv_la {
#define VENV_LA_FIELD(f) __typeof__(&f) f;
	VENV_LA_FUNCS(VENV_LA_FIELD)
#undef VENV_LA_FIELD
};

extern struct venv_la venv_la;

/* Make libarchive usable: 0, or VENV_ENOTFOUND with a message. Thread-safe. */
int venv_la_load(void);

#define LA(f) (venv_la.f)

#endif
