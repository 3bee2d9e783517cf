# image/lib/common.sh — shared helpers for image/build.sh (sourced, not run).

log() { printf '[image %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'image/build.sh: %s\n' "$*" >&2; exit 1; }

# need CMD "what to install"
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is missing: $2"; }

# The first Debian mirror this machine's apt uses (deb822 "URIs:" or one-line "deb URL"),
# else deb.debian.org.
host_mirror() {
  local m=""
  m=$(grep -hsE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | awk '{print $2}' | head -n1 || true)
  [[ -n $m ]] || m=$(grep -hsE '^\s*deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v security | awk '{for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' | head -n1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}

# free_mb DIR: free space of the volume holding DIR (or its closest existing parent).
free_mb() {
  local d=$1
  while [[ ! -d $d ]]; do d=$(dirname "$d"); done
  df -Pm "$d" | awk 'NR==2 {print $4}'
}

# Mount /proc, /sys, /dev, /dev/pts into the rootfs for chroot work; undone by chroot_umount.
chroot_mount() {
  local r=$1
  [[ $RUNNER == proot ]] && return 0   # proot binds /proc, /sys and /dev itself
  mount -t proc proc "$r/proc"
  mount -t sysfs sysfs "$r/sys"
  mount --bind /dev "$r/dev"
  mount --bind /dev/pts "$r/dev/pts"
  CHROOT_MOUNTED=$r
}

chroot_umount() {
  local r=${CHROOT_MOUNTED:-}
  [[ -n $r ]] || return 0
  for m in dev/pts dev sys proc; do
    mountpoint -q "$r/$m" && umount -l "$r/$m" || true
  done
  CHROOT_MOUNTED=""
}

# How programs of the target architecture are run inside the rootfs (set by pick_runner):
#   chroot  native, or arm64 on x86 with binfmt_misc registered for qemu-aarch64
#   proot   arm64 on x86 without binfmt_misc: `proot -q qemu-aarch64-static` intercepts every
#           execve, so the children of an emulated program (dpkg's maintainer scripts, g++'s
#           cc1, node's child processes) are emulated too, and no kernel state changes.
RUNNER=chroot
# Extra "HOST:GUEST" binds for the next in_rootfs call (proot -b; with chroot the caller mounts).
ROOTFS_BINDS=()
# An ARM /proc/cpuinfo: onnxruntime's arm64 library parses it at load and crashes on the x86
# text qemu-user shows otherwise. Bound over /proc/cpuinfo in every proot run. It describes a
# Cortex-A76 (Raspberry Pi 5), and qemu emulates exactly that CPU (QEMU_CPU): under qemu's
# default "max" CPU, which adds i8mm, onnxruntime's INT8 kernels return wrong numbers (qemu 7.2;
# the int8 reference tests of npm run test:arm64 fail there and pass on cortex-a76).
QEMU_CPU_MODEL=cortex-a76
ARM_CPUINFO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/arm64/cpuinfo-arm64.txt
# proot 5.1 does not translate statx/faccessat2/openat2/execveat: this wrapper makes them
# answer ENOSYS (seccomp) so that qemu and glibc fall back to calls proot does translate.
ENOSYS_EXEC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/enosys-exec.py

# pick_runner TARGET_ARCH HOST_ARCH: sets RUNNER, or dies when the target cannot be run at all
# (the message names the package to install).
pick_runner() {
  local arch=$1 host=$2
  RUNNER=chroot
  [[ $arch == "$host" ]] && return 0
  [[ $arch == arm64 ]] || die "cannot run $arch programs on a $host host"
  need qemu-aarch64-static "apt-get install qemu-user-static (runs arm64 programs on this $host host)"
  [[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] && return 0
  need proot "apt-get install proot (this host has no binfmt_misc entry for qemu-aarch64, so arm64 programs in the rootfs run under proot -q qemu-aarch64-static)"
  [[ -f $ARM_CPUINFO ]] || die "$ARM_CPUINFO is missing"
  /usr/bin/python3 -c 'import seccomp' 2>/dev/null || die "python3-seccomp is missing: apt-get install python3-seccomp (proot 5.1 needs its statx/faccessat2 guard, image/lib/enosys-exec.py)"
  RUNNER=proot
}

# in_rootfs ROOTFS CMD...: run a command inside the rootfs with a clean environment. `env -i`
# matters: under `npm run`, npm exports npm_config_* (e.g. a host nodedir) that node-gyp
# would obey over its command line. Extra environment: ROOTFS_ENV=(K=V ...).
in_rootfs() {
  local r=$1; shift
  local envv=(HOME=/root TERM=dumb LC_ALL=C.UTF-8 LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${ROOTFS_ENV[@]}")
  if [[ $RUNNER == proot ]]; then
    # -r (not -R): -R would bind the host's /etc/passwd and /etc/group, and useradd in the
    # rootfs would then edit the host's. /tmp stays the rootfs's own.
    local b=(-b /dev -b /proc -b /sys -b "$ARM_CPUINFO:/proc/cpuinfo") x
    for x in "${ROOTFS_BINDS[@]}"; do b+=(-b "$x"); done
    env -i "${envv[@]}" PROOT_TMP_DIR="${PROOT_TMP_DIR:-/tmp}" QEMU_CPU=$QEMU_CPU_MODEL \
      /usr/bin/python3 "$ENOSYS_EXEC" proot -q qemu-aarch64-static -r "$r" "${b[@]}" -w / "$@"
  else
    env -i "${envv[@]}" chroot "$r" "$@"
  fi
}
ROOTFS_ENV=()

# The Debian package architecture name → Node's.
node_arch() { case $1 in arm64) echo arm64 ;; amd64) echo x64 ;; *) die "unsupported arch $1" ;; esac; }
