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

# in_chroot ROOTFS CMD...: run a command inside the rootfs with a clean environment. `env -i`
# matters: under `npm run`, npm exports npm_config_* (e.g. a host nodedir) that node-gyp
# would obey over its command line.
in_chroot() {
  local r=$1; shift
  env -i HOME=/root TERM=dumb LC_ALL=C.UTF-8 LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin chroot "$r" "$@"
}

# The Debian package architecture name → Node's.
node_arch() { case $1 in arm64) echo arm64 ;; amd64) echo x64 ;; *) die "unsupported arch $1" ;; esac; }
