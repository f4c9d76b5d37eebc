#!/usr/bin/env bash
# Boot the base image (build-image.sh) under qemu (TCG by default) with systemd as PID 1, run PAYLOAD_DIR/run.sh
# inside it as root at the end of boot, and copy back what it wrote.
#
#   run.sh PAYLOAD_DIR OUT_DIR
#
# PAYLOAD_DIR is copied onto a second disk (ext4, label hkvm-payload) mounted at /mnt/hkvm in
# the guest; run.sh runs there with HKVM_PAYLOAD=/mnt/hkvm/payload and HKVM_OUT=/mnt/hkvm/out.
# After power-off, OUT_DIR gets out/ (whatever run.sh wrote to $HKVM_OUT, plus guest.log,
# exit-code and the boot's journal.txt) and serial.log (the whole console). The exit status is
# run.sh's inside the guest (125 when the VM gave none back, 124 on timeout).
#
# Environment (all optional):
#   HKVM_DIR      where the image, kernel and initrd are (default /var/tmp/hekaton-vm)
#   HKVM_MEM      guest memory in MiB (default 2048)
#   HKVM_CPUS     guest vCPUs (default 1)
#   HKVM_ACCEL    tcg (default) or kvm; see README for why KVM is not the default here
#   HKVM_CPU      qemu -cpu model (default max for tcg, host,-cx16,-xsave for kvm)
#   HKVM_TIMEOUT  seconds before the VM is killed (default 1200)
#   HKVM_APPEND   extra kernel command-line words (systemd.log_level=debug, hkvm.skip, ...)
#   HKVM_KEEP=1   interactive: do not power off after the payload; the serial console is
#                 this terminal, logged in as root (Ctrl-a x quits qemu)
#   HKVM_NET=user give the guest qemu's user-mode network (default: none)
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 64; }
payload=$(cd "$1" && pwd)
mkdir -p "$2"; out=$(cd "$2" && pwd)
dir=${HKVM_DIR:-/var/tmp/hekaton-vm}
mem=${HKVM_MEM:-2048}
cpus=${HKVM_CPUS:-1}
accel=${HKVM_ACCEL:-tcg}
# Under kvm, hide what this host's nested KVM (kvm_pvm) cannot emulate; see README.
if [ "$accel" = kvm ]; then cpu=${HKVM_CPU:-host,-cx16,-xsave}; else cpu=${HKVM_CPU:-max}; fi
limit=${HKVM_TIMEOUT:-1200}
append="console=ttyS0 root=/dev/vda rw panic=-1 quiet ${HKVM_APPEND:-}"
for f in bookworm.img vmlinuz initrd.img; do
    [ -e "$dir/$f" ] || { echo "run.sh: $dir/$f missing; run build-image.sh first" >&2; exit 1; }
done
[ -x "$payload/run.sh" ] || { echo "run.sh: $payload/run.sh is not executable" >&2; exit 1; }
if [ "$accel" = kvm ] && [ ! -w /dev/kvm ]; then echo "run.sh: /dev/kvm is not writable by $(id -un)" >&2; exit 1; fi

work=$(mktemp -d "$dir/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/disk/out"
cp -a "$payload" "$work/disk/payload"
# Room for the payload, a copy of it inside the guest's work and whatever comes back.
mib=$(( $(du -sm "$work/disk" | cut -f1) * 2 + 512 ))
truncate -s "${mib}M" "$work/payload.img"
mkfs.ext4 -q -L hkvm-payload -d "$work/disk" "$work/payload.img"
rm -rf "$work/disk"

net=(-nic none)
[ "${HKVM_NET:-}" = user ] && net=(-nic user,model=virtio-net-pci)
serial=(-serial stdio -monitor none)
if [ -n "${HKVM_KEEP:-}" ]; then
    append="$append hkvm.keep"
    serial=(-serial mon:stdio)
fi

start=$(date +%s)
set +e
if [ -n "${HKVM_KEEP:-}" ]; then
    qemu-system-x86_64 -machine q35,accel=$accel -cpu "$cpu" -smp "$cpus" -m "$mem" \
        -nodefaults -no-user-config -display none -no-reboot \
        -kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" -append "$append" \
        -drive "file=$dir/bookworm.img,format=raw,if=virtio,snapshot=on" \
        -drive "file=$work/payload.img,format=raw,if=virtio" \
        -device virtio-rng-pci "${net[@]}" "${serial[@]}"
    rc=$?
else
    timeout --kill-after=10 "$limit" \
    qemu-system-x86_64 -machine q35,accel=$accel -cpu "$cpu" -smp "$cpus" -m "$mem" \
        -nodefaults -no-user-config -display none -no-reboot \
        -kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" -append "$append" \
        -drive "file=$dir/bookworm.img,format=raw,if=virtio,snapshot=on" \
        -drive "file=$work/payload.img,format=raw,if=virtio" \
        -device virtio-rng-pci "${net[@]}" "${serial[@]}" </dev/null | tee "$out/serial.log"
    rc=${PIPESTATUS[0]}
fi
set -e
elapsed=$(( $(date +%s) - start ))

rm -rf "$out/out"
debugfs -R "rdump /out $out" "$work/payload.img" >/dev/null 2>&1 || true
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    echo "run.sh: the VM ran past ${limit}s and was killed" >&2
    exit 124
fi
if [ ! -s "$out/out/exit-code" ]; then
    echo "run.sh: qemu exited ($rc) after ${elapsed}s without the payload's exit status; see $out/serial.log" >&2
    exit 125
fi
guest=$(cat "$out/out/exit-code")
echo "run.sh: VM up and down in ${elapsed}s; payload exit status $guest; results in $out" >&2
exit "$guest"
