# image/lib/disk-image.sh — a partitioned disk image without loop mounts (sourced by build.sh).
#
# Layout (Raspberry Pi style, MBR):
#   p1  FAT32 (type 0x0c, label BOOT)    --boot-size MB, starts at 4 MiB: config.txt, cmdline.txt
#   p2  ext4  (type 0x83, label rootfs)  the rootfs tree, written by mkfs.ext4 -d
# Each filesystem is made in its own file (mkfs.vfat + mtools' mcopy; mkfs.ext4 -d) and copied
# into the disk file at its partition offset with dd conv=notrunc, so no root-only loop
# devices or mounts are needed and the build works in containers.
#
# What a real Raspberry Pi still needs on p1 (not reachable from here: the Raspberry Pi apt
# repository archive.raspberrypi.com is not a Debian mirror): the GPU firmware (start4.elf /
# fixup4.dat for a Pi 4, nothing extra for a Pi 5), the kernel (kernel8.img / kernel_2712.img)
# with its device-tree blobs and overlays, and the matching /lib/modules in the rootfs. Install
# raspberrypi-kernel + raspi-firmware from that repository, or copy /boot/firmware and
# /lib/modules from a Raspberry Pi OS Lite image. docs/appliance.md has the steps.

build_disk_image() {
  local img=$1 tmp=$WORK/img-$ARCH used root_mb boot_start=8192 boot_sectors root_start root_sectors
  rm -rf "$tmp" && mkdir -p "$tmp/boot"
  used=$(du -sm "$ROOTFS" | cut -f1)
  root_mb=${ROOT_MB:-$(( used * 14 / 10 + 256 ))}
  (( root_mb > used )) || die "--root-size $root_mb MB is smaller than the rootfs ($used MB)"
  log "8/8 disk image: boot ${BOOT_MB} MB FAT + root ${root_mb} MB ext4 (rootfs uses ${used} MB)"

  # p1: boot files. cmdline.txt points the kernel at p2 by PARTUUID.
  cat >"$tmp/boot/cmdline.txt" <<EOF
console=serial0,115200 console=tty1 root=PARTUUID=$DISK_ID-02 rootfstype=ext4 fsck.repair=yes rootwait
EOF
  cat >"$tmp/boot/config.txt" <<'EOF'
# parley appliance (image/build.sh). Firmware and kernel are NOT included: see README-parley.txt.
arm_64bit=1
enable_uart=1
dtparam=audio=on
dtparam=i2s=on
EOF
  cat >"$tmp/boot/README-parley.txt" <<'EOF'
This boot partition holds only config.txt and cmdline.txt. Before the board can boot, add the
Raspberry Pi firmware and kernel (start*.elf, fixup*.dat, kernel8.img or kernel_2712.img,
bcm27*.dtb, overlays/) from the raspi-firmware / raspberrypi-kernel packages, and the matching
/lib/modules/<version> to the root partition. See docs/appliance.md in the parley sources.
EOF
  boot_sectors=$(( BOOT_MB * 2048 ))
  mkfs.vfat -F 32 -n BOOT -C "$tmp/boot.vfat" $(( BOOT_MB * 1024 )) >/dev/null || die "mkfs.vfat failed"
  mcopy -i "$tmp/boot.vfat" "$tmp/boot/cmdline.txt" "$tmp/boot/config.txt" "$tmp/boot/README-parley.txt" ::/ || die "mcopy failed"

  # p2: the rootfs, written into a fresh ext4 by mkfs itself (-d). Owners and modes are kept.
  mkfs.ext4 -q -F -L rootfs -d "$ROOTFS" -E root_owner=0:0 "$tmp/root.ext4" "${root_mb}M" || die "mkfs.ext4 -d failed"
  root_start=$(( boot_start + boot_sectors ))
  root_sectors=$(( root_mb * 2048 ))

  truncate -s $(( (root_start + root_sectors) * 512 )) "$img.part"
  sfdisk -q "$img.part" <<EOF || die "sfdisk failed"
label: dos
label-id: 0x$DISK_ID
unit: sectors

start=$boot_start, size=$boot_sectors, type=c
start=$root_start, size=$root_sectors, type=83
EOF
  dd if="$tmp/boot.vfat" of="$img.part" bs=512 seek=$boot_start conv=notrunc,sparse status=none
  dd if="$tmp/root.ext4" of="$img.part" bs=4M seek=$(( root_start * 512 )) oflag=seek_bytes conv=notrunc,sparse status=none
  mv "$img.part" "$img"
  rm -rf "$tmp"
  log "8/8 wrote $img ($(( (root_start + root_sectors) / 2048 )) MB, disk id 0x$DISK_ID)"
}
