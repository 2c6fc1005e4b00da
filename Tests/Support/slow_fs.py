#!/usr/bin/env python3
"""A slow disk for tests: a FUSE pass-through file system (fusepy) over a folder that delays
every write, fsync and rename by a fixed time, as a saturated or failing disk does.

    slow_fs.py BACKING MOUNTPOINT DELAY_MS

Runs in the foreground until unmounted (umount MOUNTPOINT) or killed. Needs /dev/fuse and root
(libfuse mounts directly as root) and `pip install fusepy`.
"""
import errno
import os
import sys
import time

from fuse import FUSE, FuseOSError, Operations


class SlowPassthrough(Operations):
    def __init__(self, root, delay):
        self.root = root
        self.delay = delay

    def _path(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def _slow(self):
        time.sleep(self.delay)

    # Metadata
    def access(self, path, mode):
        if not os.access(self._path(path), mode):
            raise FuseOSError(errno.EACCES)

    def getattr(self, path, fh=None):
        st = os.lstat(self._path(path))
        return {key: getattr(st, key) for key in (
            "st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime", "st_nlink", "st_size", "st_uid")}

    def readdir(self, path, fh):
        return [".", ".."] + os.listdir(self._path(path))

    def chmod(self, path, mode):
        return os.chmod(self._path(path), mode)

    def chown(self, path, uid, gid):
        return os.chown(self._path(path), uid, gid)

    def utimens(self, path, times=None):
        return os.utime(self._path(path), times)

    def statfs(self, path):
        st = os.statvfs(self._path(path))
        return {key: getattr(st, key) for key in (
            "f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag",
            "f_frsize", "f_namemax")}

    # Names
    def mkdir(self, path, mode):
        return os.mkdir(self._path(path), mode)

    def rmdir(self, path):
        return os.rmdir(self._path(path))

    def unlink(self, path):
        return os.unlink(self._path(path))

    def rename(self, old, new):
        self._slow()
        return os.rename(self._path(old), self._path(new))

    def link(self, target, name):
        return os.link(self._path(name), self._path(target))

    def symlink(self, name, target):
        return os.symlink(target, self._path(name))

    def readlink(self, path):
        return os.readlink(self._path(path))

    # Files
    def open(self, path, flags):
        return os.open(self._path(path), flags)

    def create(self, path, mode, fi=None):
        return os.open(self._path(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)

    def read(self, path, length, offset, fh):
        os.lseek(fh, offset, os.SEEK_SET)
        return os.read(fh, length)

    def write(self, path, buf, offset, fh):
        self._slow()
        os.lseek(fh, offset, os.SEEK_SET)
        return os.write(fh, buf)

    def truncate(self, path, length, fh=None):
        with open(self._path(path), "r+") as f:
            f.truncate(length)

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        return os.close(fh)

    def fsync(self, path, fdatasync, fh):
        self._slow()
        return os.fsync(fh)


if __name__ == "__main__":
    backing, mountpoint, delay_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
    FUSE(SlowPassthrough(backing, delay_ms / 1000), mountpoint, foreground=True, nothreads=False)
