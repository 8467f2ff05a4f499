#ifndef VENV_ELF_H
#define VENV_ELF_H

#include <stddef.h>
#include <stdint.h>

/*
 * The few facts check needs from an interpreter binary, read statically
 * from its ELF dynamic section: which libpython it needs (so its version,
 * whatever the file is called) and where it looks for it (its RUNPATH,
 * which for a copied interpreter ties it to the base installation).
 */
struct venv_elf_info {
	int is_elf;
	int is64;
	char *libpython;   /* DT_NEEDED "libpython3.12.so.1.0", or NULL */
	char *runpath;     /* DT_RUNPATH, else DT_RPATH, or NULL */
};

#define VENV_ELF_INFO_INIT { 0, 0, NULL, NULL }

/* Read len bytes at off into buf; 0 on success, negative when short or failing. */
typedef int (*venv_elf_read_fn)(void *payload, uint64_t off, void *buf, size_t len);

/*
 * Parse through a reader. A file that is not ELF is not an error (is_elf
 * stays 0); a damaged ELF file is VENV_EINVAL. Every size read from the
 * file is capped.
 */
int venv_elf_parse(struct venv_elf_info *out, venv_elf_read_fn read, void *payload,
		   uint64_t file_size);

/* Parse an open regular file. */
int venv_elf_parse_fd(struct venv_elf_info *out, int fd);

/* Parse a buffer holding a whole file. */
int venv_elf_parse_buffer(struct venv_elf_info *out, const void *buf, size_t len);

void venv_elf_release(struct venv_elf_info *e);

/*
 * The "X.Y" (with an ABI suffix such as "t") of a name like
 * "libpython3.12t.so.1.0" or "python3.12"; 0 on success, VENV_EINVAL when
 * the name carries no version.
 */
int venv_python_version_of_name(char *out, size_t size, const char *name, const char *prefix);

#endif
