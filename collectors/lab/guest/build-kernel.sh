#!/bin/bash
# Builds the lab guest kernel: Debian's linux-source-6.1, `make tinyconfig` + lab.config, the two
# kvm_pvm patches and the es2lab workload driver, as an uncompressed PVH vmlinux (QEMU boots it
# directly with -kernel; a bzImage's decompressor would run emulated on kvm_pvm hosts).
# Usage: build-kernel.sh SOURCE_TARBALL OUT_DIR      (called by lab.ts, which picks OUT_DIR by cache key)
# Output: OUT_DIR/vmlinux, OUT_DIR/config, OUT_DIR/build.log. The tree is built in OUT_DIR/tree and
# removed after a successful build (it is ~1.2 GB; the cache keeps only what boots).
set -euo pipefail
TARBALL=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
rm -rf "$OUT/tree"
mkdir -p "$OUT/tree"
echo "unpacking $TARBALL" >&2
tar xJf "$TARBALL" -C "$OUT/tree" --strip-components=1
cd "$OUT/tree"
for p in "$HERE"/patches/*.patch; do
  patch -p1 --forward --quiet < "$p"
done
# the workload driver becomes drivers/misc/es2lab.c, switched by CONFIG_ES2LAB
cp "$HERE/es2lab.c" drivers/misc/es2lab.c
printf '\nconfig ES2LAB\n\tbool "es2scope lab in-kernel workload driver"\n\tdepends on NET && INET && BLOCK\n' >> drivers/misc/Kconfig
printf '\nobj-$(CONFIG_ES2LAB) += es2lab.o\n' >> drivers/misc/Makefile
make tinyconfig > "$OUT/build.log" 2>&1
./scripts/kconfig/merge_config.sh -m .config "$HERE/lab.config" >> "$OUT/build.log" 2>&1
make olddefconfig >> "$OUT/build.log" 2>&1
# merge_config drops what Kconfig dependencies refuse: check that the parts the lab needs survived
for o in SMP PVH KVM_GUEST VIRTIO_NET VIRTIO_BLK VIRTIO_PCI IP_PNP SERIAL_8250_CONSOLE ES2LAB; do
  grep -q "^CONFIG_$o=y" .config || { echo "guest kernel config: CONFIG_$o did not survive olddefconfig" >&2; exit 1; }
done
echo "building vmlinux with make -j$(nproc) (log: $OUT/build.log)" >&2
if ! make -j"$(nproc)" vmlinux >> "$OUT/build.log" 2>&1; then
  tail -30 "$OUT/build.log" >&2
  exit 1
fi
cp vmlinux "$OUT/vmlinux.tmp" && mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
cp .config "$OUT/config"
cd /
rm -rf "$OUT/tree"
