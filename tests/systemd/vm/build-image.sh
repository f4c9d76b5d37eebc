#!/usr/bin/env bash
# Build the base VM image: Debian 12 (bookworm) with systemd as PID 1, a kernel and initrd
# to boot it with qemu -kernel/-initrd, and a one-shot unit that runs a payload from a
# second disk at boot and powers off. Built once; every run boots it with -snapshot, so it stays
# pristine.
#
#   build-image.sh            # builds into $HKVM_DIR (default /var/tmp/hekaton-vm)
#   HKVM_FORCE=1 build-image.sh   # rebuild even if the image exists
#
# Needs root, mmdebstrap, e2fsprogs (mkfs.ext4 -d) and Debian's archive through apt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${HKVM_DIR:-/var/tmp/hekaton-vm}
mirror=${HKVM_MIRROR:-http://deb.debian.org/debian}
size=${HKVM_IMAGE_SIZE:-6G}
# Extra Debian packages on top of the defaults (space separated).
extra=${HKVM_EXTRA_PACKAGES:-}

image=$dir/bookworm.img
# The image is rebuilt when this script changes (its packages, its hooks) or the extra packages do.
stamp=$( (cat "$0" "$here"/guest/*; echo "$extra") | sha256sum | cut -c1-16)
if [ -e "$image" ] && [ "$(cat "$dir/bookworm.stamp" 2>/dev/null)" = "$stamp" ] && [ -z "${HKVM_FORCE:-}" ]; then
    echo "image exists: $image (HKVM_FORCE=1 to rebuild)"; exit 0
fi
[ "$(id -u)" = 0 ] || { echo "build-image.sh: run as root (mmdebstrap --mode=root, mkfs.ext4 -d)" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "build-image.sh: apt-get install mmdebstrap qemu-system-x86 qemu-utils" >&2; exit 1; }

packages=(
    systemd systemd-sysv udev dbus                       # systemd as PID 1, with the bus
    linux-image-cloud-amd64 initramfs-tools              # small kernel (virtio; no 9p)
    libsqlite3-0 libsystemd0 libssl3 libstdc++6 libcurl4 # what hekatond links against
    bubblewrap python3 python3-venv curl procps util-linux passwd kmod iproute2 less
    acl                                                  # what the hekaton package depends on
    buildah umoci skopeo uidmap                          # what it suggests, for environment images
)
# shellcheck disable=SC2206
packages+=($extra)

mkdir -p "$dir"
work=$(mktemp -d "$dir/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

start=$(date +%s)
mmdebstrap --mode=root --variant=minbase \
    --include="$(IFS=,; echo "${packages[*]}")" \
    --customize-hook="copy-in $here/guest/hkvm-guest-run /usr/local/sbin" \
    --customize-hook="copy-in $here/guest/hkvm-run.service /etc/systemd/system" \
    --customize-hook='chmod 755 "$1/usr/local/sbin/hkvm-guest-run"' \
    --customize-hook='chroot "$1" systemctl enable hkvm-run.service' \
    --customize-hook='chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer systemd-timesyncd.service 2>/dev/null || true' \
    --customize-hook='echo hkvm > "$1/etc/hostname"' \
    --customize-hook='printf "127.0.1.1 hkvm\n" >> "$1/etc/hosts"' \
    --customize-hook='printf "/dev/vda / ext4 rw,relatime 0 1\n" > "$1/etc/fstab"' \
    --customize-hook='chroot "$1" passwd -d root' \
    --customize-hook='mkdir -p "$1/etc/systemd/system/serial-getty@ttyS0.service.d" && printf "[Unit]\nConditionKernelCommandLine=hkvm.keep\n[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 %%I \$TERM\n" > "$1/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf"' \
    --customize-hook='rm -rf "$1/var/cache/apt/archives/"*.deb "$1/var/lib/apt/lists/"*' \
    bookworm "$root" "$mirror"

# The kernel and initrd are booted directly (no bootloader in the image).
kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)
initrd=$(ls "$root"/boot/initrd.img-* | sort -V | tail -1)
cp "$kernel" "$dir/vmlinuz.new"; cp "$initrd" "$dir/initrd.img.new"
chmod 644 "$dir/vmlinuz.new" "$dir/initrd.img.new"

rm -f "$image.new"
truncate -s "$size" "$image.new"
mkfs.ext4 -q -L hkvm-root -d "$root" "$image.new"
mv "$image.new" "$image"; mv "$dir/vmlinuz.new" "$dir/vmlinuz"; mv "$dir/initrd.img.new" "$dir/initrd.img"
echo "$stamp" > "$dir/bookworm.stamp"
echo "built $image ($(du -sh --apparent-size "$image" | cut -f1) apparent, $(du -sh "$image" | cut -f1) used)," \
     "kernel $(basename "$kernel"), in $(( $(date +%s) - start )) s"
