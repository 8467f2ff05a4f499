#include "compat.h"
#include "elf.h"
#include "error.h"

#define ELF_MAX_PHNUM 512
#define ELF_MAX_DYNAMIC ((size_t)64 * 1024)
#define ELF_MAX_STRTAB ((size_t)256 * 1024)

#define PT_LOAD_ 1
#define PT_DYNAMIC_ 2
#define DT_NULL_ 0
#define DT_NEEDED_ 1
#define DT_STRTAB_ 5
#define DT_STRSZ_ 10
#define DT_RPATH_ 15
#define DT_RUNPATH_ 29

struct elf_reader {
	venv_elf_read_fn read;
	void *payload;
	uint64_t size;
	int is64, big;
};

static uint64_t get(const unsigned char *p, size_t n, int big)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[big ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

static int rd(struct elf_reader *r, uint64_t off, void *buf, size_t len)
{
	if (off > r->size || len > r->size - off)
		return venv_error_set(VENV_EINVAL, "ELF structure beyond the end of the file");
	if (r->read(r->payload, off, buf, len) < 0)
		return venv_error_set(VENV_EIO, "cannot read ELF data");
	return 0;
}

struct load {
	uint64_t vaddr, offset, filesz;
};

static int vaddr_to_offset(const struct load *loads, size_t n, uint64_t vaddr, uint64_t *off)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (vaddr >= loads[i].vaddr && vaddr - loads[i].vaddr < loads[i].filesz) {
			*off = loads[i].offset + (vaddr - loads[i].vaddr);
			return 0;
		}
	}
	return venv_error_set(VENV_EINVAL, "ELF string table outside any segment");
}

static char *str_at(const char *tab, size_t size, uint64_t off)
{
	const char *end;

	if (off >= size)
		return NULL;
	end = memchr(tab + off, '\0', size - off);
	if (!end)
		return NULL;
	return strdup(tab + off);
}

int venv_elf_parse(struct venv_elf_info *out, venv_elf_read_fn read, void *payload,
		   uint64_t file_size)
{
	struct elf_reader r = { read, payload, file_size, 0, 0 };
	unsigned char ident[16], hdr[64], *ph = NULL, *dyn = NULL;
	struct load *loads = NULL;
	char *strtab = NULL;
	uint64_t phoff, dyn_off = 0, dyn_size = 0, strtab_addr = 0, strsz = 0, strtab_off = 0;
	uint64_t needed[64], rpath = (uint64_t)-1, runpath = (uint64_t)-1;
	size_t phentsize, phnum, nloads = 0, nneeded = 0, i, entsize;
	int error = 0, have_dyn = 0;

	memset(out, 0, sizeof(*out));
	memset(hdr, 0, sizeof(hdr));
	memset(ident, 0, sizeof(ident));
	if (file_size < 16 || read(payload, 0, ident, 16) < 0 || memcmp(ident, "\177ELF", 4))
		return 0;
	if ((ident[4] != 1 && ident[4] != 2) || (ident[5] != 1 && ident[5] != 2))
		return venv_error_set(VENV_EINVAL, "unknown ELF class or byte order");
	out->is_elf = 1;
	r.is64 = out->is64 = ident[4] == 2;
	r.big = ident[5] == 2;
	if ((error = rd(&r, 0, hdr, r.is64 ? 64 : 52)) < 0)
		goto done;
	if (r.is64) {
		phoff = get(hdr + 32, 8, r.big);
		phentsize = (size_t)get(hdr + 54, 2, r.big);
		phnum = (size_t)get(hdr + 56, 2, r.big);
	} else {
		phoff = get(hdr + 28, 4, r.big);
		phentsize = (size_t)get(hdr + 42, 2, r.big);
		phnum = (size_t)get(hdr + 44, 2, r.big);
	}
	if (phnum == 0)
		goto done;
	if (phnum > ELF_MAX_PHNUM || phentsize < (r.is64 ? 56u : 32u) || phentsize > 256) {
		error = venv_error_set(VENV_EINVAL, "implausible ELF program headers");
		goto done;
	}
	if (!(ph = calloc(phnum, phentsize)) || !(loads = calloc(phnum, sizeof(*loads)))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = rd(&r, phoff, ph, phnum * phentsize)) < 0)
		goto done;
	for (i = 0; i < phnum; i++) {
		const unsigned char *p = ph + i * phentsize;
		uint64_t type = get(p, 4, r.big), off, vaddr, filesz;

		if (r.is64) {
			off = get(p + 8, 8, r.big);
			vaddr = get(p + 16, 8, r.big);
			filesz = get(p + 32, 8, r.big);
		} else {
			off = get(p + 4, 4, r.big);
			vaddr = get(p + 8, 4, r.big);
			filesz = get(p + 16, 4, r.big);
		}
		if (type == PT_LOAD_) {
			loads[nloads].vaddr = vaddr;
			loads[nloads].offset = off;
			loads[nloads].filesz = filesz;
			nloads++;
		} else if (type == PT_DYNAMIC_ && !have_dyn) {
			have_dyn = 1;
			dyn_off = off;
			dyn_size = filesz;
		}
	}
	if (!have_dyn)
		goto done;
	if (dyn_size > ELF_MAX_DYNAMIC)
		dyn_size = ELF_MAX_DYNAMIC;
	entsize = r.is64 ? 16 : 8;
	if (!(dyn = calloc(1, (size_t)dyn_size + 1))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = rd(&r, dyn_off, dyn, (size_t)dyn_size)) < 0)
		goto done;
	for (i = 0; i + entsize <= dyn_size; i += entsize) {
		uint64_t tag = get(dyn + i, entsize / 2, r.big);
		uint64_t val = get(dyn + i + entsize / 2, entsize / 2, r.big);

		if (tag == DT_NULL_)
			break;
		if (tag == DT_NEEDED_ && nneeded < VENV_ARRAY_SIZE(needed))
			needed[nneeded++] = val;
		else if (tag == DT_STRTAB_)
			strtab_addr = val;
		else if (tag == DT_STRSZ_)
			strsz = val;
		else if (tag == DT_RPATH_)
			rpath = val;
		else if (tag == DT_RUNPATH_)
			runpath = val;
	}
	if (!strtab_addr || !strsz)
		goto done;
	if (strsz > ELF_MAX_STRTAB)
		strsz = ELF_MAX_STRTAB;
	if ((error = vaddr_to_offset(loads, nloads, strtab_addr, &strtab_off)) < 0)
		goto done;
	if (strtab_off < r.size && strsz > r.size - strtab_off)
		strsz = r.size - strtab_off;
	if (!(strtab = calloc(1, (size_t)strsz + 1))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = rd(&r, strtab_off, strtab, (size_t)strsz)) < 0)
		goto done;
	strtab[strsz] = '\0';
	for (i = 0; i < nneeded && !out->libpython; i++) {
		if (needed[i] < strsz && !strncmp(strtab + needed[i], "libpython", 9))
			out->libpython = str_at(strtab, (size_t)strsz, needed[i]);
	}
	if (runpath != (uint64_t)-1)
		out->runpath = str_at(strtab, (size_t)strsz, runpath);
	else if (rpath != (uint64_t)-1)
		out->runpath = str_at(strtab, (size_t)strsz, rpath);
done:
	free(ph);
	free(loads);
	free(dyn);
	free(strtab);
	if (error < 0) {
		free(out->libpython);
		free(out->runpath);
		out->libpython = out->runpath = NULL;
	}
	return error;
}

static int fd_read(void *payload, uint64_t off, void *buf, size_t len)
{
	int fd = *(int *)payload;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

int venv_elf_parse_fd(struct venv_elf_info *out, int fd)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (fstat(fd, &st) < 0)
		return venv_error_set_errno(VENV_EIO, "cannot stat an interpreter binary");
	if (!S_ISREG(st.st_mode))
		return 0;
	return venv_elf_parse(out, fd_read, &fd, (uint64_t)st.st_size);
}

struct mem {
	const unsigned char *buf;
	size_t len;
};

static int mem_read(void *payload, uint64_t off, void *buf, size_t len)
{
	struct mem *m = payload;

	if (off > m->len || len > m->len - off)
		return -1;
	memcpy(buf, m->buf + off, len);
	return 0;
}

int venv_elf_parse_buffer(struct venv_elf_info *out, const void *buf, size_t len)
{
	struct mem m = { buf, len };

	return venv_elf_parse(out, mem_read, &m, len);
}

void venv_elf_release(struct venv_elf_info *e)
{
	free(e->libpython);
	free(e->runpath);
	memset(e, 0, sizeof(*e));
}

int venv_python_version_of_name(char *out, size_t size, const char *name, const char *prefix)
{
	size_t pl = strlen(prefix);
	const char *p = name + pl, *start;
	size_t n;

	if (strncmp(name, prefix, pl))
		return VENV_EINVAL;
	start = p;
	if (!(*p >= '0' && *p <= '9'))
		return VENV_EINVAL;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ != '.' || !(*p >= '0' && *p <= '9'))
		return VENV_EINVAL;
	while (*p >= '0' && *p <= '9')
		p++;
	/* An ABI suffix: free-threaded "t", debug "d". */
	while (*p >= 'a' && *p <= 'z' && *p != '.')
		p++;
	n = (size_t)(p - start);
	if (*p && *p != '.')
		return VENV_EINVAL;
	if (n + 1 > size)
		return VENV_ETOOBIG;
	memcpy(out, start, n);
	out[n] = '\0';
	return 0;
}
