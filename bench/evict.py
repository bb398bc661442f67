#!/usr/bin/env python3
"""Makes the data of a benchmark cold, and only the data: every regular file under the given
folders (a music library, a server's files, a cache, a mount point) is dropped from the page cache
(POSIX_FADV_DONTNEED; through a FUSE mount that drops the kernel's copy of the mounted file), then
the kernel's dentry and inode caches are dropped (drop_caches = 2). The daemons' own code and
libraries stay in memory, as they do on a machine that runs for days; `echo 3 > drop_caches`
would evict them too and charge every daemon page faults on its next request. Needs root.

Usage: evict.py DIR...
"""
import os
import sys


def evict(path):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return 0  # unreadable, or gone meanwhile (a cache evicting): nothing of it is cached by us
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        return 1
    except OSError:
        return 0
    finally:
        os.close(fd)


def main(dirs):
    os.sync()
    count = 0
    for top in dirs:
        for root, _, files in os.walk(top):
            for name in files:
                path = os.path.join(root, name)
                if os.path.isfile(path):
                    count += evict(path)
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("2\n")
    return count


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
