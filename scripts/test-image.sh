#!/usr/bin/env bash
# Slow lane (npm run test:image): build the appliance image with image/build.sh and check inside
# the rootfs that parley is really installed: the service file and its enable symlinks, the
# parley user in audio + dialout, /etc/parley/config.yaml (validated by the installed parley), a
# runnable `parley --version` on the image's own Node.js, better-sqlite3 and onnxruntime loading,
# journald limits, first-boot provisioning (in a private UTS namespace), and the disk image's
# partition table and both filesystems. With --arch arm64 the rootfs is arm64 and every program
# in it runs under proot + qemu-aarch64-static (image/lib/in-rootfs.sh); the runtime checks
# (scripts/image/runtime-checks.ts) then run doctor, transcribe --db and `parley run` with a
# mosquitto inside the rootfs, and compare with the same run on x64.
#
# Usage: sudo bash scripts/test-image.sh [--arch amd64|arm64] [--dry-run] [--help]
#   (npm run test:image [-- --arch arm64]; be kind to a shared machine: nice -n 15)
#   --dry-run           check the lane's preconditions only (build.sh --dry-run, eval sample,
#                       tsx, apt-get); seconds, run by npm test
#   PARLEY_IMAGE_WORK   work/cache dir (default <repo>/.cache/image; the debootstrap, Node, npm
#                       and better-sqlite3 caches make reruns much faster)
#   PARLEY_IMAGE_MIRROR Debian mirror (default: build.sh's, i.e. this machine's apt mirror)
#   PARLEY_EVAL_DIR     folder holding pyannote-sample/sample.wav (arm64 runtime checks)
# Needs root and what image/build.sh --help lists. Not part of the default CI test command.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ARCH=amd64 DRY=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --arch) ARCH=${2:?--arch needs amd64 or arm64}; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test:image: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $ARCH == amd64 || $ARCH == arm64 ]] || { echo "test:image: --arch must be amd64 or arm64" >&2; exit 2; }
fail() { echo "test:image: FAIL: $*" >&2; exit 1; }
ok() { echo "  ok   $*"; }
[[ $(id -u) -eq 0 ]] || fail "must run as root (debootstrap, chroot/proot, file ownership)"
WORK=${PARLEY_IMAGE_WORK:-$ROOT/.cache/image}
ARGS=(--arch "$ARCH" --image --work "$WORK")
[[ -n ${PARLEY_IMAGE_MIRROR:-} ]] && ARGS+=(--mirror "$PARLEY_IMAGE_MIRROR")
HOST_ARCH=$(dpkg --print-architecture)
RUNTIME=0; [[ $ARCH != "$HOST_ARCH" ]] && RUNTIME=1
if [[ $DRY -eq 1 ]]; then
  bash image/build.sh "${ARGS[@]}" --dry-run || fail "image/build.sh --dry-run: a build prerequisite is missing"
  command -v apt-get >/dev/null || fail "apt-get missing"
  [[ -f scripts/image/runtime-checks.ts && -x node_modules/.bin/tsx ]] || fail "scripts/image/runtime-checks.ts or tsx missing (npm ci)"
  if [[ $RUNTIME -eq 1 ]]; then
    S=${PARLEY_EVAL_DIR:-$ROOT/../shared/eval}/pyannote-sample/sample.wav
    [[ -f $S ]] || fail "$S missing: the runtime checks transcribe it (set PARLEY_EVAL_DIR)"
    command -v file >/dev/null || fail "file missing"
  fi
  echo "test:image: dry run passed ($ARCH$([[ $RUNTIME -eq 1 ]] && echo ', with runtime checks'))"
  exit 0
fi
OUT=$(mktemp -d /tmp/parley-image-test.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
T0=$(date +%s)
ARGS+=(--out "$OUT")
echo "test:image: building (image/build.sh ${ARGS[*]})"
bash image/build.sh "${ARGS[@]}" || fail "image/build.sh failed"
BUILD_S=$(( $(date +%s) - T0 ))
R=$WORK/rootfs-$ARCH
RUNNER=$(bash image/lib/in-rootfs.sh --runner "$R")
run() { bash image/lib/in-rootfs.sh ${RUN_ENV:+--env "$RUN_ENV"} "$R" "$@"; }

echo "test:image: checking the rootfs ($R)"
[[ -s $OUT/rootfs.tar.gz ]] || fail "no rootfs.tar.gz"
tar -tzf "$OUT/rootfs.tar.gz" ./opt/parley/dist/cli/main.js >/dev/null || fail "rootfs.tar.gz lacks /opt/parley/dist/cli/main.js"
ok "rootfs.tar.gz ($(du -m "$OUT/rootfs.tar.gz" | cut -f1) MB)"

[[ -f $R/lib/systemd/system/parley.service ]] || fail "parley.service missing"
cmp -s "$R/lib/systemd/system/parley.service" systemd/parley.service || fail "parley.service differs from systemd/parley.service"
[[ $(readlink "$R/etc/systemd/system/multi-user.target.wants/parley.service") == /lib/systemd/system/parley.service ]] || fail "parley.service not enabled"
[[ $(readlink "$R/etc/systemd/system/multi-user.target.wants/parley-firstboot.service") == /lib/systemd/system/parley-firstboot.service ]] || fail "parley-firstboot.service not enabled"
grep -q '^EnvironmentFile=-/etc/parley/device.env' "$R/etc/systemd/system/parley.service.d/10-appliance.conf" || fail "device.env drop-in missing"
if run systemd-analyze --version >/dev/null 2>&1; then
  run systemd-analyze verify --man=no /lib/systemd/system/parley.service /lib/systemd/system/parley-firstboot.service >"$OUT/verify.log" 2>&1 \
    || { grep -v 'Failed to .*bus\|Cannot find\|cgroup' "$OUT/verify.log" | grep -q . && fail "systemd-analyze verify: $(cat "$OUT/verify.log")"; }
fi
ok "parley.service + parley-firstboot.service installed and enabled"

ids=$(run id parley) || fail "no parley user"
[[ $ids == *"(audio)"* && $ids == *"(dialout)"* ]] || fail "parley is not in audio and dialout: $ids"
[[ $(run getent passwd parley | cut -d: -f7) == /usr/sbin/nologin ]] || fail "parley has a login shell"
[[ $(run stat -c %U /var/lib/parley) == parley ]] || fail "/var/lib/parley not owned by parley"
ok "user: $ids"

[[ -f $R/etc/parley/config.yaml ]] || fail "/etc/parley/config.yaml missing"
run parley config validate /etc/parley/config.yaml >/dev/null || fail "config does not validate"
ok "/etc/parley/config.yaml validates"

v=$(run parley --version) || fail "parley --version does not run"
want=$(node -p "require('./package.json').version")
[[ $v == *"$want"* ]] || fail "parley --version printed '$v', expected $want"
[[ $(run /usr/bin/node -p 'process.versions.node') == 20.* ]] || fail "/usr/bin/node is not Node 20"
ok "parley --version: $v (node $(run /usr/bin/node -p 'process.version') $(run /usr/bin/node -p 'process.arch'), runner $RUNNER)"
run /usr/bin/node -e "const D=require('/opt/parley/node_modules/better-sqlite3');new D(':memory:').exec('create table t(x)')" || fail "better-sqlite3 does not load"
run /usr/bin/node -e "require('/opt/parley/node_modules/onnxruntime-node')" || fail "onnxruntime-node does not load"
ok "native addons load (better-sqlite3, onnxruntime-node)"
ls "$R/opt/parley/models"/*/ >/dev/null 2>&1 || fail "no models in /opt/parley/models"
[[ ! -e $R/usr/bin/g++ && ! -e $R/usr/bin/gcc-12 && ! -e $R/usr/bin/make ]] || fail "build tools left in the image"
ok "models: $(ls "$R/opt/parley/models" | tr '\n' ' ')"

grep -q '^SystemMaxUse=' "$R/etc/systemd/journald.conf.d/parley.conf" || fail "journald limits missing"
ok "journald: $(grep -E '^(Storage|SystemMaxUse|RuntimeMaxUse)=' "$R/etc/systemd/journald.conf.d/parley.conf" | tr '\n' ' ')"
[[ ! -s $R/etc/machine-id ]] || fail "/etc/machine-id is not empty (boards would share it)"

# First boot: a machine-id as systemd would create it, the script in a private UTS namespace.
echo 0123456789abcdef0123456789abcdef >"$R/etc/machine-id"
unshare --uts bash image/lib/in-rootfs.sh "$R" /usr/local/sbin/parley-firstboot >/dev/null || fail "parley-firstboot failed"
grep -qx 'PARLEY_DEVICE_ID=parley-01234567' "$R/etc/parley/device.env" || fail "device.env: $(cat "$R/etc/parley/device.env")"
[[ $(cat "$R/etc/hostname") == parley-01234567 ]] || fail "hostname not set"
RUN_ENV=PARLEY_DEVICE_ID=parley-01234567 run parley config validate --env /etc/parley/config.yaml >/dev/null || fail "config with PARLEY_DEVICE_ID does not validate"
rm -f "$R/etc/parley/device.env"
ok "first boot: device id and hostname parley-01234567 from the machine-id"
# A Raspberry Pi: the serial number wins over the machine-id. chroot: /proc is not mounted, so a
# plain file stands in for /proc/cpuinfo; proot: the file is bound over /proc/cpuinfo.
printf 'processor\t: 0\nSerial\t\t: 10000000ABCDEF12\nModel\t\t: Raspberry Pi 5 Model B Rev 1.0\n' >"$OUT/pi-cpuinfo"
if [[ $RUNNER == proot ]]; then
  unshare --uts bash image/lib/in-rootfs.sh --bind "$OUT/pi-cpuinfo:/proc/cpuinfo" "$R" /usr/local/sbin/parley-firstboot >/dev/null || fail "parley-firstboot failed on a Pi cpuinfo"
else
  cp "$OUT/pi-cpuinfo" "$R/proc/cpuinfo"
  unshare --uts chroot "$R" /usr/local/sbin/parley-firstboot >/dev/null || { rm -f "$R/proc/cpuinfo"; fail "parley-firstboot failed on a Pi cpuinfo"; }
  rm -f "$R/proc/cpuinfo"
fi
grep -qx 'PARLEY_DEVICE_ID=parley-abcdef12' "$R/etc/parley/device.env" || fail "Pi serial: device.env: $(cat "$R/etc/parley/device.env")"
rm -f "$R/etc/parley/device.env"; : >"$R/etc/machine-id"; echo parley >"$R/etc/hostname"
ok "first boot: device id parley-abcdef12 from the Raspberry Pi serial number"

IMG=$OUT/parley-$ARCH.img
[[ -f $IMG ]] || fail "no disk image"
parts=$(sfdisk -J "$IMG")
node -e '
const p = JSON.parse(process.argv[1]).partitiontable.partitions;
if (p.length !== 2 || p[0].type !== "c" || p[1].type !== "83") { console.error(JSON.stringify(p)); process.exit(1); }' "$parts" || fail "partition table: $parts"
boot_start=$(node -p 'JSON.parse(process.argv[1]).partitiontable.partitions[0].start' "$parts")
root_start=$(node -p 'JSON.parse(process.argv[1]).partitiontable.partitions[1].start' "$parts")
root_size=$(node -p 'JSON.parse(process.argv[1]).partitiontable.partitions[1].size' "$parts")
mdir -i "$IMG@@$(( boot_start * 512 ))" ::/ | grep -qi cmdline || fail "boot partition lacks cmdline.txt"
dd if="$IMG" of="$OUT/root.ext4" bs=512 skip="$root_start" count="$root_size" conv=sparse status=none
e2fsck -fn "$OUT/root.ext4" >/dev/null 2>&1 || fail "root filesystem has errors (e2fsck -fn)"
debugfs -R 'stat /opt/parley/dist/cli/main.js' "$OUT/root.ext4" 2>/dev/null | grep -q 'Type: regular' || fail "root filesystem lacks parley"
ok "disk image: $(( $(stat -c %s "$IMG") / 1048576 )) MB, FAT boot + ext4 root (e2fsck clean)"
if [[ $RUNTIME -eq 1 ]]; then
  echo "test:image: runtime checks inside the $ARCH rootfs ($RUNNER + qemu), compared with x64"
  T1=$(date +%s)
  bash scripts/image/add-debs.sh "$R" "$WORK/cache" mosquitto || fail "could not add mosquitto to the rootfs"
  ok "mosquitto added to the test rootfs ($(( $(date +%s) - T1 )) s; not part of rootfs.tar.gz)"
  (cd "$ROOT" && npm run -s build) || fail "npm run build (the x64 reference) failed"
  node --import tsx scripts/image/runtime-checks.ts --rootfs "$R" --work "$WORK/runtime-$ARCH" || fail "runtime checks failed"
  RT_S=$(( $(date +%s) - T1 ))
else
  echo "test:image: runtime checks (doctor, transcribe, run + MQTT) are the emulated lane's (--arch arm64); on $ARCH npm test runs them natively"
fi
echo "test:image: passed ($ARCH: build ${BUILD_S} s${RT_S:+, runtime checks ${RT_S} s}, total $(( $(date +%s) - T0 )) s)"
