/*
 * lossyfs: a FUSE file system over a backing directory that keeps every file's written data
 * in its own memory until the file is fsynced, so that killing it loses exactly what was not
 * synced -- the page cache of a machine that loses power. Metadata (create, mkdir, rename,
 * link, unlink, chmod) goes to the backing directory at once, as LazyFS does by default; file
 * contents and sizes (write, truncate) wait for fsync.
 *
 *   lossyfs BACKING_DIR MOUNTPOINT        (runs in the foreground, single-threaded)
 *
 * Reading MOUNTPOINT/.lossyfs-flush writes out and fsyncs everything held (what the kernel
 * does for a process that crashes while the machine stays up). LOSSYFS_MAX_DIRTY_MB (default
 * 256) bounds what is held: past it every file is written out, as memory pressure would.
 *
 * Bookkeeping is per backing inode (st_dev, st_ino), so a rename or a hard link keeps its
 * unsynced data: a "node" holds the logical size, how much of the backing file is still
 * valid (a truncate makes the tail beyond it stale), and the dirty 4 KiB pages.
 */
#define FUSE_USE_VERSION 35
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>

#define PAGE 4096
#define FLUSH_PATH "/.lossyfs-flush"

struct page {
  off_t index;
  struct page *next;
  char data[PAGE];
};

struct node {
  dev_t dev;
  ino_t ino;
  int fd;            /* O_RDWR on the backing inode, follows renames */
  off_t size;        /* the size readers see */
  off_t valid;       /* backing bytes below this are current; beyond it they are stale */
  int dirty;         /* unsynced pages or size change */
  int refs;          /* open handles */
  int gone;          /* its last name was unlinked */
  struct page **buckets;
  size_t nbuckets, npages;
  struct node *next;
};

struct handle {
  int fd;
  struct node *node;
};

static int root_fd;
static struct node *nodes;
static size_t dirty_bytes;
static size_t max_dirty;

static const char *rel(const char *path) {
  return path[1] == '\0' ? "." : path + 1;
}

/* ---- pages ---- */

static struct page *page_find(struct node *n, off_t index) {
  if (n->nbuckets == 0) return NULL;
  for (struct page *p = n->buckets[(size_t)index % n->nbuckets]; p; p = p->next)
    if (p->index == index) return p;
  return NULL;
}

static void page_table_grow(struct node *n) {
  size_t size = n->nbuckets ? n->nbuckets * 2 : 64;
  struct page **b = calloc(size, sizeof *b);
  if (!b) return;
  for (size_t i = 0; i < n->nbuckets; i++) {
    struct page *p = n->buckets[i];
    while (p) {
      struct page *next = p->next;
      p->next = b[(size_t)p->index % size];
      b[(size_t)p->index % size] = p;
      p = next;
    }
  }
  free(n->buckets);
  n->buckets = b;
  n->nbuckets = size;
}

/* A dirty page for index, filled from the still-valid part of the backing file when new. */
static struct page *page_get(struct node *n, off_t index) {
  struct page *p = page_find(n, index);
  if (p) return p;
  if (n->npages >= n->nbuckets * 2) page_table_grow(n);
  if (n->nbuckets == 0) return NULL;
  p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->index = index;
  off_t start = index * PAGE;
  if (start < n->valid) {
    size_t want = (size_t)(n->valid - start < PAGE ? n->valid - start : PAGE);
    ssize_t got = pread(n->fd, p->data, want, start);
    if (got < 0) got = 0;
    memset(p->data + got, 0, PAGE - (size_t)got);
  }
  p->next = n->buckets[(size_t)index % n->nbuckets];
  n->buckets[(size_t)index % n->nbuckets] = p;
  n->npages++;
  dirty_bytes += PAGE;
  return p;
}

static void pages_drop_from(struct node *n, off_t first) {
  for (size_t i = 0; i < n->nbuckets; i++) {
    struct page **pp = &n->buckets[i];
    while (*pp) {
      if ((*pp)->index >= first) {
        struct page *dead = *pp;
        *pp = dead->next;
        free(dead);
        n->npages--;
        dirty_bytes -= PAGE;
      } else {
        pp = &(*pp)->next;
      }
    }
  }
}

/* ---- nodes ---- */

static struct node *node_find(dev_t dev, ino_t ino) {
  for (struct node *n = nodes; n; n = n->next)
    if (n->dev == dev && n->ino == ino) return n;
  return NULL;
}

/* The node of the inode behind fd (an open descriptor of the backing file). */
static struct node *node_for_fd(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return NULL;
  struct node *n = node_find(st.st_dev, st.st_ino);
  if (n) return n;
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  int rw = open(proc, O_RDWR);
  if (rw < 0) return NULL;
  n = calloc(1, sizeof *n);
  if (!n) {
    close(rw);
    return NULL;
  }
  n->dev = st.st_dev;
  n->ino = st.st_ino;
  n->fd = rw;
  n->size = n->valid = st.st_size;
  n->next = nodes;
  nodes = n;
  return n;
}

static void node_free(struct node *n) {
  pages_drop_from(n, 0);
  for (struct node **pp = &nodes; *pp; pp = &(*pp)->next) {
    if (*pp == n) {
      *pp = n->next;
      break;
    }
  }
  close(n->fd);
  free(n->buckets);
  free(n);
}

/* Forget a node once nobody can reach its data any more, or it holds none. */
static void node_release_if_idle(struct node *n) {
  if (n->refs == 0 && (n->gone || !n->dirty)) node_free(n);
}

/* Writes a node's held data to the backing file and fsyncs it: the moment it becomes durable. */
static int node_sync(struct node *n) {
  if (n->dirty) {
    if (n->valid < n->size && ftruncate(n->fd, n->valid) != 0) return -errno;
    for (size_t i = 0; i < n->nbuckets; i++) {
      for (struct page *p = n->buckets[i]; p; p = p->next) {
        off_t start = p->index * PAGE;
        if (start >= n->size) continue;
        size_t len = (size_t)(n->size - start < PAGE ? n->size - start : PAGE);
        if (pwrite(n->fd, p->data, len, start) != (ssize_t)len) return errno ? -errno : -EIO;
      }
    }
    if (ftruncate(n->fd, n->size) != 0) return -errno;
    pages_drop_from(n, 0);
    n->valid = n->size;
    n->dirty = 0;
  }
  return fsync(n->fd) == 0 ? 0 : -errno;
}

static int sync_all(void) {
  int rc = 0;
  for (struct node *n = nodes, *next; n; n = next) {
    next = n->next;
    int r = node_sync(n);
    if (r != 0 && rc == 0) rc = r;
    node_release_if_idle(n);
  }
  return rc;
}

static void node_set_size(struct node *n, off_t size) {
  if (size < n->size) {
    pages_drop_from(n, (size + PAGE - 1) / PAGE);
    struct page *last = size % PAGE ? page_find(n, size / PAGE) : NULL;
    if (last) memset(last->data + size % PAGE, 0, PAGE - (size_t)(size % PAGE));
    if (size < n->valid) n->valid = size;
  }
  n->size = size;
  n->dirty = 1;
}

/* ---- operations ---- */

static void *lossy_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
  (void)conn;
  cfg->use_ino = 1;
  cfg->nullpath_ok = 0;
  /* Sizes change here without the kernel knowing (a truncate held back): no attribute caching. */
  cfg->attr_timeout = 0;
  cfg->entry_timeout = 0;
  cfg->negative_timeout = 0;
  return NULL;
}

static int lossy_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
  if (strcmp(path, FLUSH_PATH) == 0) {
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    st->st_size = 8; /* "flushed\n": readers such as busybox cat read no further than the size */
    return 0;
  }
  int r = fi && fi->fh ? fstat(((struct handle *)fi->fh)->fd, st)
                       : fstatat(root_fd, rel(path), st, AT_SYMLINK_NOFOLLOW);
  if (r != 0) return -errno;
  struct node *n = node_find(st->st_dev, st->st_ino);
  if (n) {
    st->st_size = n->size;
    st->st_blocks = (n->size + 511) / 512;
  }
  return 0;
}

static int lossy_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
                         enum fuse_readdir_flags flags) {
  (void)off;
  (void)fi;
  (void)flags;
  int fd = openat(root_fd, rel(path), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return -errno;
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return -errno;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (fill(buf, e->d_name, NULL, 0, 0)) break;
  }
  closedir(d);
  return 0;
}

static int lossy_mkdir(const char *path, mode_t mode) {
  return mkdirat(root_fd, rel(path), mode) == 0 ? 0 : -errno;
}

static int lossy_rmdir(const char *path) {
  return unlinkat(root_fd, rel(path), AT_REMOVEDIR) == 0 ? 0 : -errno;
}

/* Before the last name of a file goes away: its held data goes with it once no handle is open. */
static void forget_if_last_name(const char *path) {
  struct stat st;
  if (fstatat(root_fd, rel(path), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) || st.st_nlink > 1) return;
  struct node *n = node_find(st.st_dev, st.st_ino);
  if (n) {
    n->gone = 1;
    node_release_if_idle(n);
  }
}

static int lossy_unlink(const char *path) {
  forget_if_last_name(path);
  return unlinkat(root_fd, rel(path), 0) == 0 ? 0 : -errno;
}

static int lossy_rename(const char *from, const char *to, unsigned int flags) {
  if (!(flags & RENAME_EXCHANGE)) forget_if_last_name(to);
  return renameat2(root_fd, rel(from), root_fd, rel(to), flags) == 0 ? 0 : -errno;
}

static int lossy_link(const char *from, const char *to) {
  return linkat(root_fd, rel(from), root_fd, rel(to), 0) == 0 ? 0 : -errno;
}

static int lossy_symlink(const char *target, const char *path) {
  return symlinkat(target, root_fd, rel(path)) == 0 ? 0 : -errno;
}

static int lossy_readlink(const char *path, char *buf, size_t size) {
  ssize_t n = readlinkat(root_fd, rel(path), buf, size - 1);
  if (n < 0) return -errno;
  buf[n] = '\0';
  return 0;
}

static int lossy_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
  (void)fi;
  return fchmodat(root_fd, rel(path), mode, 0) == 0 ? 0 : -errno;
}

static int lossy_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
  (void)fi;
  return fchownat(root_fd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
}

static int lossy_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
  (void)fi;
  return utimensat(root_fd, rel(path), tv, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
}

static int open_handle(int fd, struct fuse_file_info *fi) {
  struct handle *h = calloc(1, sizeof *h);
  struct node *n = h ? node_for_fd(fd) : NULL;
  if (!n) {
    int e = errno ? errno : ENOMEM;
    free(h);
    close(fd);
    return -e;
  }
  h->fd = fd;
  h->node = n;
  n->refs++;
  fi->fh = (uint64_t)(uintptr_t)h;
  return 0;
}

/* The backing file is opened for reading and writing whatever the caller asked, and without
 * O_APPEND or O_TRUNC: writes land in the pages (at the offsets the kernel computed), and a
 * truncation is held like any other change. */
static int backing_flags(int flags) {
  return (flags & ~(O_ACCMODE | O_APPEND | O_TRUNC | O_CREAT | O_EXCL)) | O_RDWR;
}

static int lossy_open(const char *path, struct fuse_file_info *fi) {
  if (strcmp(path, FLUSH_PATH) == 0) {
    fi->fh = 0;
    /* Opening it is the flush: the open fails with the error if writing out failed. */
    return sync_all();
  }
  int fd = openat(root_fd, rel(path), backing_flags(fi->flags));
  if (fd < 0 && errno == EACCES) fd = openat(root_fd, rel(path), (fi->flags & ~O_ACCMODE & ~O_TRUNC) | O_RDONLY);
  if (fd < 0) return -errno;
  int r = open_handle(fd, fi);
  if (r == 0 && (fi->flags & O_TRUNC)) node_set_size(((struct handle *)fi->fh)->node, 0);
  return r;
}

static int lossy_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
  int fd = openat(root_fd, rel(path), backing_flags(fi->flags) | O_CREAT | (fi->flags & O_EXCL), mode);
  if (fd < 0) return -errno;
  int r = open_handle(fd, fi);
  if (r == 0 && (fi->flags & O_TRUNC)) node_set_size(((struct handle *)fi->fh)->node, 0);
  return r;
}

static int lossy_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)path;
  if (fi->fh == 0) {
    static const char done[] = "flushed\n";
    if (off >= (off_t)(sizeof done - 1)) return 0;
    size_t len = sizeof done - 1 - (size_t)off < size ? sizeof done - 1 - (size_t)off : size;
    memcpy(buf, done + off, len);
    return (int)len;
  }
  struct node *n = ((struct handle *)fi->fh)->node;
  if (off >= n->size) return 0;
  if ((off_t)size > n->size - off) size = (size_t)(n->size - off);
  size_t done = 0;
  while (done < size) {
    off_t pos = off + (off_t)done;
    off_t index = pos / PAGE;
    size_t in = (size_t)(pos % PAGE);
    size_t len = PAGE - in < size - done ? PAGE - in : size - done;
    struct page *p = page_find(n, index);
    if (p) {
      memcpy(buf + done, p->data + in, len);
    } else {
      size_t have = pos < n->valid ? (size_t)(n->valid - pos < (off_t)len ? n->valid - pos : (off_t)len) : 0;
      ssize_t got = have ? pread(n->fd, buf + done, have, pos) : 0;
      if (got < 0) return -errno;
      memset(buf + done + got, 0, len - (size_t)got);
    }
    done += len;
  }
  return (int)done;
}

static int lossy_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)path;
  struct node *n = ((struct handle *)fi->fh)->node;
  size_t done = 0;
  while (done < size) {
    off_t pos = off + (off_t)done;
    size_t in = (size_t)(pos % PAGE);
    size_t len = PAGE - in < size - done ? PAGE - in : size - done;
    struct page *p = page_get(n, pos / PAGE);
    if (!p) return done ? (int)done : -ENOMEM;
    memcpy(p->data + in, buf + done, len);
    done += len;
  }
  if (off + (off_t)size > n->size) n->size = off + (off_t)size;
  n->dirty = 1;
  if (dirty_bytes > max_dirty) sync_all();
  return (int)size;
}

static int lossy_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
  if (fi && fi->fh) {
    node_set_size(((struct handle *)fi->fh)->node, size);
    return 0;
  }
  int fd = openat(root_fd, rel(path), O_RDWR);
  if (fd < 0) return -errno;
  struct node *n = node_for_fd(fd);
  close(fd);
  if (!n) return -EIO;
  node_set_size(n, size);
  return 0;
}

static int lossy_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)path;
  (void)datasync;
  if (fi->fh == 0) return 0;
  return node_sync(((struct handle *)fi->fh)->node);
}

static int lossy_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)datasync;
  (void)fi;
  int fd = openat(root_fd, rel(path), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return -errno;
  int r = fsync(fd) == 0 ? 0 : -errno;
  close(fd);
  return r;
}

static int lossy_release(const char *path, struct fuse_file_info *fi) {
  (void)path;
  struct handle *h = (struct handle *)fi->fh;
  if (!h) return 0;
  close(h->fd);
  h->node->refs--;
  node_release_if_idle(h->node);
  free(h);
  return 0;
}

static int lossy_statfs(const char *path, struct statvfs *st) {
  (void)path;
  return fstatvfs(root_fd, st) == 0 ? 0 : -errno;
}

static int lossy_access(const char *path, int mask) {
  if (strcmp(path, FLUSH_PATH) == 0) return 0;
  return faccessat(root_fd, rel(path), mask, 0) == 0 ? 0 : -errno;
}

static const struct fuse_operations ops = {
    .init = lossy_init,
    .getattr = lossy_getattr,
    .readdir = lossy_readdir,
    .mkdir = lossy_mkdir,
    .rmdir = lossy_rmdir,
    .unlink = lossy_unlink,
    .rename = lossy_rename,
    .link = lossy_link,
    .symlink = lossy_symlink,
    .readlink = lossy_readlink,
    .chmod = lossy_chmod,
    .chown = lossy_chown,
    .utimens = lossy_utimens,
    .open = lossy_open,
    .create = lossy_create,
    .read = lossy_read,
    .write = lossy_write,
    .truncate = lossy_truncate,
    .fsync = lossy_fsync,
    .fsyncdir = lossy_fsyncdir,
    .release = lossy_release,
    .statfs = lossy_statfs,
    .access = lossy_access,
};

int main(int argc, char *argv[]) {
  if (argc != 3) {
    fprintf(stderr, "usage: lossyfs BACKING_DIR MOUNTPOINT\n");
    return 2;
  }
  root_fd = open(argv[1], O_RDONLY | O_DIRECTORY);
  if (root_fd < 0) {
    perror(argv[1]);
    return 1;
  }
  const char *mb = getenv("LOSSYFS_MAX_DIRTY_MB");
  max_dirty = (size_t)(mb ? atol(mb) : 256) << 20;
  char *fuse_argv[] = {argv[0], "-f", "-s", "-o", "fsname=lossyfs,subtype=lossyfs", argv[2], NULL};
  return fuse_main(6, fuse_argv, &ops, NULL);
}
