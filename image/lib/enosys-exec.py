#!/usr/bin/python3
"""Run a command with the path syscalls proot 5.1 does not know answered by ENOSYS.

Usage: enosys-exec.py CMD [ARG...]   (image/lib/common.sh runs `proot` through it)

Debian 12's proot (5.1.0) predates statx, faccessat2, openat2 and execveat. It passes them to
the kernel untranslated, so under `proot -r ROOTFS` they look up the HOST's paths: `[ -x
/debootstrap/debootstrap ]` is false, `ls -d /opt/parley` fails, and a write through one of
them would land on the host. With a seccomp filter that answers ENOSYS, qemu-user and glibc
fall back to the older calls (fstatat, faccessat, openat, execve), which proot translates.
The filter is inherited by proot, qemu and every emulated child.
"""
import errno
import os
import sys

import seccomp  # Debian package python3-seccomp (libseccomp's bindings)

UNTRANSLATED = ("statx", "faccessat2", "openat2", "execveat")

if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
    sys.stderr.write(__doc__)
    sys.exit(2 if len(sys.argv) < 2 else 0)
f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
# proot cancels a syscall by rewriting its number to an invalid one; the kernel re-runs the
# filter after that, and libseccomp's default for numbers it cannot place is KILL.
f.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.ALLOW)
for name in UNTRANSLATED:
    f.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
f.load()
try:
    os.execvp(sys.argv[1], sys.argv[1:])
except OSError as e:
    sys.stderr.write(f"enosys-exec.py: cannot run {sys.argv[1]}: {e.strerror}\n")
    sys.exit(127)
