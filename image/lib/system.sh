# image/lib/system.sh — models, system configuration and clean-up (sourced by image/build.sh).

install_models() {
  local dst=$ROOTFS/opt/parley/models
  mkdir -p "$dst"
  if [[ $NO_MODELS -eq 1 ]]; then
    log "4/8 no models (--no-models): run \`parley models fetch\` on the board"
    return
  fi
  has_bundles() { find "$1" -mindepth 2 -type f -name '*.onnx' -print -quit 2>/dev/null | grep -q .; }
  if ! has_bundles "$MODELS"; then
    [[ $MODELS == "$REPO/models" ]] || die "--models $MODELS holds no model bundles (*.onnx)"
    log "4/8 $MODELS holds no models: npm run models:fetch"
    (cd "$REPO" && npm run -s models:fetch >"$WORK/models-fetch.log" 2>&1) || die "npm run models:fetch failed (see $WORK/models-fetch.log); or pass --no-models"
    has_bundles "$MODELS" || die "models:fetch installed nothing under $MODELS"
  fi
  log "4/8 copying models from $MODELS"
  # Bundles only: the manifest comes with the package (models/manifest.json), pins are per board.
  find "$MODELS" -mindepth 1 -maxdepth 1 -type d -exec cp -a {} "$dst/" \;
  chown -R 0:0 "$dst"
}

write_default_config() {
  cat <<EOF
# parley appliance configuration, written by image/build.sh.
# Every key, its default and what it does: /opt/parley/config/default.yaml
# device.id comes from first-boot provisioning (PARLEY_DEVICE_ID in /etc/parley/device.env).
config_version: 1
device:
  class: $DEVICE_CLASS
audio:
  source: alsa
  device: default
storage:
  db_path: /var/lib/parley/parley.db
  audio_dir: /var/lib/parley/audio
models:
  dir: /opt/parley/models
EOF
}

configure_system() {
  log "5/8 user, config, systemd units, first boot, journald, network"
  # A system user in audio (ALSA capture) and dialout (the serial indicator board).
  in_rootfs "$ROOTFS" sh -c 'getent group parley >/dev/null || groupadd --system parley'
  in_rootfs "$ROOTFS" sh -c 'id parley >/dev/null 2>&1 || useradd --system --gid parley --groups audio,dialout --home-dir /var/lib/parley --no-create-home --shell /usr/sbin/nologin parley'
  install -d -m 0750 "$ROOTFS/var/lib/parley"
  in_rootfs "$ROOTFS" chown parley:parley /var/lib/parley

  install -d -m 0755 "$ROOTFS/etc/parley"
  if [[ -n $CONFIG ]]; then install -m 0644 "$CONFIG" "$ROOTFS/etc/parley/config.yaml"; else write_default_config >"$ROOTFS/etc/parley/config.yaml"; fi
  echo "$HOSTNAME_PREFIX" >"$ROOTFS/etc/parley/hostname-prefix"
  # Validate the installed config with the installed parley, on the target's node.
  in_rootfs "$ROOTFS" /usr/local/bin/parley config validate /etc/parley/config.yaml >"$WORK/config-validate.log" 2>&1 \
    || die "/etc/parley/config.yaml does not validate (see $WORK/config-validate.log)"

  # Units: vendor files in /lib/systemd/system, enabled with the symlinks `systemctl enable` makes.
  local sd=$ROOTFS/lib/systemd/system wants=$ROOTFS/etc/systemd/system/multi-user.target.wants
  install -m 0644 "$REPO/systemd/parley.service" "$sd/parley.service"
  install -m 0644 "$HERE/files/parley-firstboot.service" "$sd/parley-firstboot.service"
  install -m 0755 "$HERE/files/parley-firstboot.sh" "$ROOTFS/usr/local/sbin/parley-firstboot"
  install -d "$ROOTFS/etc/systemd/system/parley.service.d" "$wants"
  install -m 0644 "$HERE/files/parley-appliance.conf" "$ROOTFS/etc/systemd/system/parley.service.d/10-appliance.conf"
  ln -sfn /lib/systemd/system/parley.service "$wants/parley.service"
  ln -sfn /lib/systemd/system/parley-firstboot.service "$wants/parley-firstboot.service"
  # Networking: DHCP on wired ports, DNS and NTP (parley's clock guard trusts synced time).
  install -m 0644 "$HERE/files/20-wired.network" "$ROOTFS/etc/systemd/network/20-wired.network"
  ln -sfn /lib/systemd/system/systemd-networkd.service "$wants/systemd-networkd.service"
  ln -sfn /lib/systemd/system/systemd-resolved.service "$wants/systemd-resolved.service"
  install -d "$ROOTFS/etc/systemd/system/sysinit.target.wants"
  ln -sfn /lib/systemd/system/systemd-timesyncd.service "$ROOTFS/etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service"
  ln -sfn /run/systemd/resolve/stub-resolv.conf "$ROOTFS/etc/resolv.conf"

  install -d "$ROOTFS/etc/systemd/journald.conf.d"
  install -m 0644 "$HERE/files/journald-parley.conf" "$ROOTFS/etc/systemd/journald.conf.d/parley.conf"
  install -d -m 2755 "$ROOTFS/var/log/journal"

  echo "$HOSTNAME_PREFIX" >"$ROOTFS/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' "$HOSTNAME_PREFIX" >"$ROOTFS/etc/hosts"
  printf 'deb %s %s main\ndeb %s %s-updates main\n' "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" >"$ROOTFS/etc/apt/sources.list"
  if [[ $IMAGE -eq 1 || $ARCH == arm64 ]]; then
    # Raspberry Pi layout: root is partition 2, firmware partition 1 (PARTUUIDs of the disk image).
    printf 'PARTUUID=%s-02\t/\text4\tdefaults,noatime,commit=60\t0\t1\nPARTUUID=%s-01\t/boot/firmware\tvfat\tdefaults,noatime\t0\t2\n' "$DISK_ID" "$DISK_ID" >"$ROOTFS/etc/fstab"
    install -d "$ROOTFS/boot/firmware"
  fi
}

finish_rootfs() {
  log "6/8 cleaning up"
  if [[ $KEEP_TOOLS -eq 0 ]]; then
    # debootstrap marks every package it installs as manually installed, so `purge --auto-remove
    # g++` would leave gcc, binutils and their libraries behind. Mark everything automatic, then
    # manual again only for the runtime packages and Priority: required, and let apt remove the
    # rest of the toolchain.
    local keep
    keep=$(echo "$INCLUDE" | tr ',' '\n' | grep -vxE 'make|g\+\+' | tr '\n' ' ')
    in_rootfs "$ROOTFS" sh -c "apt-mark auto \$(dpkg-query -W -f '\${Package}\n') >/dev/null && apt-mark manual \$(dpkg-query -W -f '\${Package} \${Priority}\n' | awk '\$2 == \"required\" {print \$1}') $keep >/dev/null && apt-get purge -y -qq g++ make && apt-get autoremove --purge -y -qq" >"$WORK/purge.log" 2>&1 \
      || die "purging the build tools failed (see $WORK/purge.log)"
    rm -rf "$ROOTFS/usr/local/include"   # Node headers: only the native build needed them
  fi
  in_rootfs "$ROOTFS" apt-get clean
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/tmp/* "$ROOTFS"/root/.npm
  # Each board must get its own machine-id on first boot (and with it its device id).
  : >"$ROOTFS/etc/machine-id"
  rm -f "$ROOTFS/var/lib/dbus/machine-id"
  rm -f "$ROOTFS/usr/bin/qemu-aarch64-static"
}
