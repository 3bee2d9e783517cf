#!/usr/bin/env bash
# image/build.sh — build a parley appliance root filesystem (Debian bookworm) and optionally a
# partitioned disk image with a Raspberry Pi layout. See docs/appliance.md.
#
# Usage: sudo bash image/build.sh [options]
#
#   --arch arm64|amd64     target architecture (default arm64). arm64 on an x86 host runs
#                          debootstrap --foreign and the second stage under qemu-aarch64-static
#                          (through binfmt_misc when registered, else through proot -q).
#   --mirror URL           Debian mirror (default: the first mirror of this machine's apt
#                          sources, else http://deb.debian.org/debian)
#   --suite NAME           Debian suite (default bookworm; Raspberry Pi OS 12 is bookworm-based)
#   --work DIR             work and cache directory (default <repo>/.cache/image). Cached there:
#                          the debootstrap package tarball, the base rootfs, the Node.js package,
#                          the npm cache and the compiled better-sqlite3 addon.
#   --out DIR              where the outputs go (default <work>/out/<arch>)
#   --node-version V       Node.js version from the npm registry package node-linux-<arch>
#                          (default: this machine's node version when it is 20.x, else 20)
#   --models DIR           installed models to copy into /opt/parley/models (default
#                          <repo>/models; `npm run models:fetch` runs first when it holds none)
#   --no-models            ship no models (the board needs `parley models fetch` later)
#   --config FILE          config to install as /etc/parley/config.yaml (default: a generated
#                          appliance config: ALSA capture on "default", data in /var/lib/parley)
#   --device-class NAME    device.class in the generated config (default rpi5 for arm64,
#                          generic for amd64)
#   --hostname-prefix P    first boot sets hostname and device.id to P-<8 hex> (default parley)
#   --keep-build-tools     keep g++/make in the image (default: purged after the native build)
#   --image                also write a partitioned disk image (parley-<arch>.img): FAT boot
#                          partition + ext4 root, built without loop mounts (mkfs.ext4 -d, mtools)
#   --boot-size MB         FAT boot partition size (default 256)
#   --root-size MB         ext4 root partition size (default: rootfs size + 40 % + 256 MB)
#   --no-tarball           skip rootfs.tar.gz (e.g. when only the image is wanted)
#   --clean                delete the work directory's rootfs, outputs and caches, then exit
#   --dry-run              check every prerequisite (tools, runner, files, free space, node-gyp,
#                          models), print the plan and exit 0 without downloading or writing
#   -h, --help             this text
#
# Outputs (in --out): rootfs.tar.gz, with --image parley-<arch>.img, and build-info.txt.
# Idempotent: every run starts from the cached base rootfs, so a rerun gives the same tree.
# Needs: root, debootstrap, tar, gzip, node + npm (host, for npm pack / npm ci), and for arm64
# on a non-arm64 host qemu-user-static, plus proot and python3-seccomp where binfmt_misc has no
# qemu-aarch64 entry (run it with nice -n 15 on a shared machine: emulation is CPU-heavy); for
# --image also sfdisk (fdisk), mkfs.ext4 (e2fsprogs >= 1.43 for -d), mkfs.vfat (dosfstools),
# mcopy (mtools).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
# The whole script is one compound command, parsed before it runs: editing this file during a
# build cannot change the running build (bash otherwise reads scripts as it goes).
{

ARCH=arm64 SUITE=bookworm MIRROR="" WORK="$REPO/.cache/image" OUT="" NODE_VERSION="" MODELS="$REPO/models" NO_MODELS=0
CONFIG="" DEVICE_CLASS="" HOSTNAME_PREFIX=parley KEEP_TOOLS=0 IMAGE=0 BOOT_MB=256 ROOT_MB="" TARBALL=1 CLEAN=0 DRY=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --arch) ARCH=${2:?--arch needs a value}; shift 2 ;;
    --mirror) MIRROR=${2:?--mirror needs a URL}; shift 2 ;;
    --suite) SUITE=${2:?}; shift 2 ;;
    --work) WORK=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    --node-version) NODE_VERSION=${2:?}; shift 2 ;;
    --models) MODELS=${2:?}; shift 2 ;;
    --no-models) NO_MODELS=1; shift ;;
    --config) CONFIG=${2:?}; shift 2 ;;
    --device-class) DEVICE_CLASS=${2:?}; shift 2 ;;
    --hostname-prefix) HOSTNAME_PREFIX=${2:?}; shift 2 ;;
    --keep-build-tools) KEEP_TOOLS=1; shift ;;
    --image) IMAGE=1; shift ;;
    --boot-size) BOOT_MB=${2:?}; shift 2 ;;
    --root-size) ROOT_MB=${2:?}; shift 2 ;;
    --no-tarball) TARBALL=0; shift ;;
    --clean) CLEAN=1; shift ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[[ $ARCH == arm64 || $ARCH == amd64 ]] || die "--arch must be arm64 or amd64, not $ARCH"
[[ $HOSTNAME_PREFIX =~ ^[a-z0-9][a-z0-9-]{0,40}$ ]] || die "--hostname-prefix must be lower-case letters, digits and '-'"
[[ $BOOT_MB =~ ^[0-9]+$ && $BOOT_MB -ge 32 ]] || die "--boot-size must be a number of MB >= 32"
[[ -z $ROOT_MB || $ROOT_MB =~ ^[0-9]+$ ]] || die "--root-size must be a number of MB"
OUT=${OUT:-$WORK/out/$ARCH}
ROOTFS=$WORK/rootfs-$ARCH
CACHE=$WORK/cache
# MBR disk identifier of the image (PARTUUIDs <id>-01/-02 in fstab and cmdline.txt); fixed per arch.
DISK_ID=$(echo "parley-$ARCH" | sha256sum | cut -c1-8)

if [[ $CLEAN -eq 1 ]]; then
  [[ $(id -u) -eq 0 ]] || die "--clean must run as root (the rootfs is root-owned)"
  log "removing $WORK"
  for m in dev/pts dev sys proc; do mountpoint -q "$ROOTFS/$m" 2>/dev/null && umount -l "$ROOTFS/$m"; done
  rm -rf "$WORK"
  exit 0
fi

# ---- prerequisites: fail before any work --------------------------------------------------
[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, chroot and file ownership need it): sudo bash image/build.sh"
need debootstrap "apt-get install debootstrap"
need chroot "coreutils"
need tar "apt-get install tar"
need gzip "apt-get install gzip"
need file "apt-get install file (the native addon's architecture is checked with it)"
need node "install Node.js 20 on the build machine"
need npm "install npm on the build machine"
HOST_ARCH=$(dpkg --print-architecture 2>/dev/null || uname -m)
pick_runner "$ARCH" "$HOST_ARCH"   # chroot, or proot + qemu-aarch64-static (image/lib/common.sh)
EMULATED=$([[ $ARCH != "$HOST_ARCH" ]] && echo 1 || echo 0)
if [[ $IMAGE -eq 1 ]]; then
  need sfdisk "apt-get install fdisk"
  need mkfs.ext4 "apt-get install e2fsprogs"
  need mkfs.vfat "apt-get install dosfstools"
  need mcopy "apt-get install mtools"
  grep -q -- '-d root' <<<"$(mkfs.ext4 2>&1 || true)" || die "mkfs.ext4 is too old for -d (needs e2fsprogs >= 1.43)"
fi
[[ -f $REPO/systemd/parley.service ]] || die "systemd/parley.service is missing (written by the budgets/systemd work, issue 'budgets'): merge main first"
[[ -f $REPO/package-lock.json ]] || die "package-lock.json is missing: the production install uses npm ci"
[[ -z $CONFIG || -f $CONFIG ]] || die "--config $CONFIG does not exist"
NEED_MB=$(( IMAGE ? 8000 : 5000 ))
FREE=$(free_mb "$WORK")
[[ $FREE -ge $NEED_MB ]] || die "only $FREE MB free under $WORK; the build needs about $NEED_MB MB (use --work on a bigger volume)"
[[ -f "$(npm root -g 2>/dev/null)/npm/node_modules/node-gyp/bin/node-gyp.js" ]] || die "node-gyp not found in the build machine's npm ($(npm root -g 2>/dev/null)/npm): the better-sqlite3 build uses it"
[[ $NO_MODELS -eq 1 || -f $REPO/models/manifest.json ]] || die "models/manifest.json is missing (or pass --no-models)"
[[ $NO_MODELS -eq 1 || $MODELS == "$REPO/models" || -d $MODELS ]] || die "--models $MODELS is not a directory"
MIRROR=${MIRROR:-$(host_mirror)}
if [[ -z $NODE_VERSION ]]; then
  hv=$(node -p 'process.versions.node')
  if [[ $hv == 20.* ]]; then NODE_VERSION=$hv; else NODE_VERSION=20; fi
fi
DEVICE_CLASS=${DEVICE_CLASS:-$([[ $ARCH == arm64 ]] && echo rpi5 || echo generic)}
if [[ $DRY -eq 1 ]]; then
  echo "dry run: every prerequisite is met"
  echo "  arch $ARCH on a $HOST_ARCH host; target programs run with: $RUNNER$([[ $EMULATED -eq 1 ]] && echo ' + qemu-aarch64-static')"
  echo "  suite $SUITE from $MIRROR; node-linux-$(node_arch "$ARCH")@$NODE_VERSION; work $WORK ($FREE MB free); out $OUT"
  echo "  image: $([[ $IMAGE -eq 1 ]] && echo "yes, boot ${BOOT_MB} MB" || echo no); models: $([[ $NO_MODELS -eq 1 ]] && echo none || echo "$MODELS")"
  exit 0
fi
mkdir -p "$WORK" "$CACHE" "$OUT"
T0=$(date +%s)
trap 'chroot_umount' EXIT
log "arch $ARCH, suite $SUITE, mirror $MIRROR, node $NODE_VERSION, work $WORK, runner $RUNNER$([[ $EMULATED -eq 1 ]] && echo ' + qemu-aarch64-static')"

# ---- 1. base rootfs (debootstrap), cached ---------------------------------------------------
# Packages: systemd as init, networking (networkd + resolved + timesyncd: parley's clock guard
# wants NTP), ALSA tools (arecord is parley's capture path), python3 (the sd_notify relay),
# PocketSphinx (the default ASR engine), make + g++ for the better-sqlite3 native build.
INCLUDE="systemd,systemd-sysv,systemd-resolved,systemd-timesyncd,dbus,udev,kmod,iproute2,netbase,ca-certificates,alsa-utils,python3,pocketsphinx,pocketsphinx-en-us,make,g++,xz-utils"
KEY=$(echo "$SUITE $ARCH $MIRROR $INCLUDE" | sha256sum | cut -c1-12)
DEBS=$CACHE/debootstrap-$SUITE-$ARCH-$KEY.tgz
BASE=$CACHE/base-$SUITE-$ARCH-$KEY.tar
if [[ ! -f $BASE ]]; then
  if [[ ! -f $DEBS ]]; then
    log "1/8 downloading packages with debootstrap (cached as $(basename "$DEBS"))"
    rm -rf "$CACHE/mk-$ARCH"
    debootstrap --arch="$ARCH" --variant=minbase --include="$INCLUDE" --make-tarball="$DEBS.part" "$SUITE" "$CACHE/mk-$ARCH" "$MIRROR" >"$CACHE/debootstrap-$ARCH.log" 2>&1 \
      || die "debootstrap --make-tarball failed (see $CACHE/debootstrap-$ARCH.log); is $MIRROR reachable?"
    mv "$DEBS.part" "$DEBS"
  fi
  log "1/8 installing the base system (debootstrap$([[ $EMULATED -eq 1 ]] && echo " --foreign + second stage under $RUNNER + qemu: slow"))"
  rm -rf "$ROOTFS.base" && mkdir -p "$ROOTFS.base"
  if [[ $EMULATED -eq 1 ]]; then
    debootstrap --arch=arm64 --variant=minbase --foreign --include="$INCLUDE" --unpack-tarball="$DEBS" "$SUITE" "$ROOTFS.base" "$MIRROR" >>"$CACHE/debootstrap-$ARCH.log" 2>&1 || die "debootstrap --foreign failed (see $CACHE/debootstrap-$ARCH.log)"
    cp "$(command -v qemu-aarch64-static)" "$ROOTFS.base/usr/bin/"
    # The first stage leaves /proc as a symlink to /proc (a loop for proot's -b /proc).
    [[ -L $ROOTFS.base/proc ]] && rm -f "$ROOTFS.base/proc" && mkdir "$ROOTFS.base/proc"
    # proot 5.1 aborts (assertion in path.c) on readlinkat(fd, ""), which systemd-tmpfiles uses to
    # check each symlink it creates; maintainer scripts run it only when `command -v` finds it,
    # and /sbin (= /usr/sbin) comes before /usr/bin in their PATH. So a no-op stands in for it
    # during the second stage, and the host's systemd-tmpfiles --root does the work afterwards.
    [[ $RUNNER == proot ]] && printf '#!/bin/sh\n# image/build.sh: stand-in during the emulated second stage\nexit 0\n' >"$ROOTFS.base/usr/sbin/systemd-tmpfiles" && chmod 755 "$ROOTFS.base/usr/sbin/systemd-tmpfiles"
    in_rootfs "$ROOTFS.base" /debootstrap/debootstrap --second-stage >>"$CACHE/debootstrap-$ARCH.log" 2>&1 || die "debootstrap second stage under $RUNNER + qemu failed (see $CACHE/debootstrap-$ARCH.log)"
    if [[ $RUNNER == proot ]]; then
      rm -f "$ROOTFS.base/usr/sbin/systemd-tmpfiles"
      if command -v systemd-tmpfiles >/dev/null; then
        systemd-tmpfiles --root="$ROOTFS.base" --create >>"$CACHE/debootstrap-$ARCH.log" 2>&1 || log "systemd-tmpfiles --root reported problems (see $CACHE/debootstrap-$ARCH.log); first boot runs it again"
      else
        log "no systemd-tmpfiles on this host: the rootfs's tmpfiles.d entries are created at first boot (systemd-tmpfiles-setup.service)"
      fi
    fi
  else
    debootstrap --arch="$ARCH" --variant=minbase --include="$INCLUDE" --unpack-tarball="$DEBS" "$SUITE" "$ROOTFS.base" "$MIRROR" >>"$CACHE/debootstrap-$ARCH.log" 2>&1 || die "debootstrap failed (see $CACHE/debootstrap-$ARCH.log)"
  fi
  tar --numeric-owner -C "$ROOTFS.base" -cf "$BASE.part" . && mv "$BASE.part" "$BASE"
  rm -rf "$ROOTFS.base"
else
  log "1/8 base rootfs cached ($(basename "$BASE"))"
fi
chroot_umount
rm -rf "$ROOTFS" && mkdir -p "$ROOTFS"
tar --numeric-owner -C "$ROOTFS" -xf "$BASE"

# ---- 2. Node.js 20 (official binary from the npm registry) into /usr/local -----------------
NARCH=$(node_arch "$ARCH")
NODE_TGZ=$(ls "$CACHE"/node-linux-"$NARCH"-"$NODE_VERSION"*.tgz 2>/dev/null | head -n1 || true)
if [[ -z $NODE_TGZ ]]; then
  log "2/8 fetching node-linux-$NARCH@$NODE_VERSION from the npm registry"
  (cd "$CACHE" && npm pack -q "node-linux-$NARCH@$NODE_VERSION" >/dev/null) || die "npm pack node-linux-$NARCH@$NODE_VERSION failed (registry reachable?)"
  NODE_TGZ=$(ls -t "$CACHE"/node-linux-"$NARCH"-*.tgz | head -n1)
else
  log "2/8 node package cached ($(basename "$NODE_TGZ"))"
fi
tar -xzf "$NODE_TGZ" -C "$ROOTFS/usr/local" --strip-components=1 package/bin package/include package/share
ln -sfn /usr/local/bin/node "$ROOTFS/usr/bin/node"   # parley.service runs /usr/bin/node

# ---- 3. parley, production dependencies, native better-sqlite3 ------------------------------
. "$HERE/lib/app.sh"
install_parley

# ---- 4. models ---------------------------------------------------------------------------
. "$HERE/lib/system.sh"
install_models

# ---- 5. user, config, units, first boot, journald, network --------------------------------
configure_system

# ---- 6. slim down ----------------------------------------------------------------------------
finish_rootfs

# ---- 7/8. outputs ----------------------------------------------------------------------------
chroot_umount
rm -f "$OUT/rootfs.tar.gz" "$OUT/parley-$ARCH.img"
if [[ $TARBALL -eq 1 ]]; then
  log "7/8 writing $OUT/rootfs.tar.gz"
  tar --numeric-owner -C "$ROOTFS" -czf "$OUT/rootfs.tar.gz.part" . && mv "$OUT/rootfs.tar.gz.part" "$OUT/rootfs.tar.gz"
fi
if [[ $IMAGE -eq 1 ]]; then
  . "$HERE/lib/disk-image.sh"
  build_disk_image "$OUT/parley-$ARCH.img"
fi
{
  echo "parley $(node -p "require('$REPO/package.json').version") image for $ARCH ($SUITE)"
  echo "built $(date -u +%FT%TZ) in $(( $(date +%s) - T0 )) s from $MIRROR"
  echo "node $NODE_VERSION; models: $(ls "$ROOTFS/opt/parley/models" 2>/dev/null | grep -v manifest | tr '\n' ' ')"
  echo "rootfs $(du -sm "$ROOTFS" | cut -f1) MB"
} >"$OUT/build-info.txt"
log "done in $(( $(date +%s) - T0 )) s: $(ls "$OUT" | tr '\n' ' ')(rootfs tree: $ROOTFS)"
exit 0
}
