# image/lib/app.sh — parley into /opt/parley (sourced by image/build.sh).
#
# How the production install is made, and why:
#  - `npm run build` + `npm pack` on the build machine: the tarball holds exactly the files a
#    user of the npm package gets (package.json "files": dist, config, manifest, systemd).
#  - `npm ci --omit=dev --ignore-scripts` on the build machine, into the staged /opt/parley:
#    the target needs no npm, the lockfile pins every version, and the scripts are skipped
#    on purpose: onnxruntime-node's would try NuGet for CUDA, better-sqlite3's would try a
#    GitHub prebuild download. onnxruntime-node and @serialport/bindings-cpp ship prebuilt
#    linux x64 and arm64 binaries inside the package, so only better-sqlite3 needs a build.
#  - better-sqlite3 is compiled INSIDE the target rootfs (chroot) with the target's own g++
#    and the Node headers of the target's Node package (--nodedir=/usr/local), so it links
#    against exactly the glibc/libstdc++ the board has. node-gyp is the build machine's (pure
#    JavaScript, bind-mounted read-only). On amd64 this takes ~1 min; for arm64 on an x86 host
#    every compiler process runs under qemu-user and the sqlite3 amalgamation takes ~10-25 min.
#    The alternative (a cross g++ aarch64-linux-gnu and node-gyp --arch=arm64 on the host) is
#    ~20x faster but needs a cross toolchain matching the target's glibc; see docs/appliance.md.

install_parley() {
  local stage=$WORK/stage-$ARCH npmdir app=$ROOTFS/opt/parley
  log "3/8 building parley (tsc) and packing it"
  (cd "$REPO" && npm run -s build >/dev/null) || die "npm run build failed in $REPO"
  rm -rf "$stage" && mkdir -p "$stage"
  (cd "$REPO" && npm pack -q --pack-destination "$stage" >/dev/null) || die "npm pack failed"
  mkdir -p "$app"
  tar -xzf "$stage"/parley-*.tgz -C "$app" --strip-components=1
  cp "$REPO/package-lock.json" "$app/"
  log "3/8 npm ci --omit=dev (production dependencies only)"
  (cd "$app" && npm ci -q --omit=dev --ignore-scripts --no-audit --no-fund --cache "$CACHE/npm" >"$stage/npm-ci.log" 2>&1) \
    || die "npm ci --omit=dev failed (see $stage/npm-ci.log)"
  prune_foreign_binaries "$app/node_modules"

  build_better_sqlite3 "$app/node_modules/better-sqlite3" "$stage/better-sqlite3-build.log"
  local b=$app/node_modules/better-sqlite3
  rm -rf "$b/build/Release/obj" "$b/build/Release/obj.target" "$b/build/Release/.deps" "$b/build/Release/test_extension.node" "$b/deps/sqlite3" "$b/src"
  rm -f "$app/package-lock.json"
  cat >"$ROOTFS/usr/local/bin/parley" <<'EOF'
#!/bin/sh
exec /usr/bin/node /opt/parley/dist/cli/main.js "$@"
EOF
  chmod 755 "$ROOTFS/usr/local/bin/parley"
  chown -R 0:0 "$app"
}

# better-sqlite3 compiled inside the rootfs, or taken from the cache: the addon depends only on
# the package version, the target's Node (ABI + headers) and the base rootfs (glibc, g++), so
# the cache key is those three. Emulated, the compile is by far the slowest step of a build.
build_better_sqlite3() {
  local dir=$1 logf=$2 ver key cached npmdir jobs
  ver=$(node -p "require('$dir/package.json').version")
  key=$(echo "$ver $NODE_VERSION $(basename "$BASE")" | sha256sum | cut -c1-12)
  cached=$CACHE/better-sqlite3-$ver-$ARCH-$key.node
  : >"$logf"
  chroot_mount "$ROOTFS"
  if [[ -f $cached ]]; then
    log "3/8 better-sqlite3 $ver for $ARCH cached ($(basename "$cached"))"
    install -D -m 0755 "$cached" "$dir/build/Release/better_sqlite3.node"
  else
    log "3/8 compiling better-sqlite3 $ver for $ARCH inside the rootfs$([[ $EMULATED -eq 1 ]] && echo " ($RUNNER + qemu: slow, cached afterwards)")"
    npmdir=$(npm root -g 2>/dev/null)/npm
    [[ -f $npmdir/node_modules/node-gyp/bin/node-gyp.js ]] || die "node-gyp not found under $npmdir (the build machine's npm)"
    mkdir -p "$ROOTFS/tmp/npm"
    # node-gyp is the build machine's (pure JavaScript), read-only in the rootfs.
    if [[ $RUNNER == proot ]]; then ROOTFS_BINDS=("$npmdir:/tmp/npm"); else mount --bind "$npmdir" "$ROOTFS/tmp/npm" && mount -o remount,bind,ro "$ROOTFS/tmp/npm"; fi
    jobs=$(nproc)
    local t0=$SECONDS rc=0
    in_rootfs "$ROOTFS" /bin/sh -c "cd /opt/parley/node_modules/better-sqlite3 && HOME=/tmp JOBS=$jobs node /tmp/npm/node_modules/node-gyp/bin/node-gyp.js rebuild --release --nodedir=/usr/local -j $jobs" >>"$logf" 2>&1 || rc=$?
    ROOTFS_BINDS=()
    [[ $RUNNER == proot ]] || umount "$ROOTFS/tmp/npm"
    rmdir "$ROOTFS/tmp/npm" 2>/dev/null || true
    [[ $rc -eq 0 ]] || die "better-sqlite3 native build failed (see $logf)"
    log "3/8 better-sqlite3 compiled in $(( SECONDS - t0 )) s"
    cp "$dir/build/Release/better_sqlite3.node" "$cached.part" && mv "$cached.part" "$cached"
  fi
  file -b "$dir/build/Release/better_sqlite3.node" | tee -a "$logf" | sed 's/^/[image] better_sqlite3.node: /' >&2
  # Prove the addon loads on the target (catches ABI and architecture mistakes now, not on the board).
  in_rootfs "$ROOTFS" /usr/local/bin/node -e "const D=require('/opt/parley/node_modules/better-sqlite3'); const d=new D(':memory:'); console.log('sqlite', d.prepare('select sqlite_version() v').get().v, process.arch)" >>"$logf" 2>&1 \
    || { rm -f "$cached"; die "better-sqlite3 does not load in the rootfs (see $logf)"; }
}

# Native binaries for other platforms are dead weight on an SD card (onnxruntime-node alone
# carries darwin/win32/linux-x64/linux-arm64 builds).
prune_foreign_binaries() {
  local nm=$1 ort
  ort=$nm/onnxruntime-node/bin/napi-v6
  if [[ -d $ort ]]; then
    find "$ort" -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} +
    find "$ort/linux" -mindepth 1 -maxdepth 1 ! -name "$NARCH" -exec rm -rf {} +
    [[ -d $ort/linux/$NARCH ]] || die "onnxruntime-node has no linux/$NARCH binary"
  fi
  local pb=$nm/@serialport/bindings-cpp/prebuilds
  [[ -d $pb ]] && find "$pb" -mindepth 1 -maxdepth 1 ! -name "linux-$NARCH" -exec rm -rf {} +
  return 0
}
