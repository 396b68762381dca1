#!/usr/bin/env bash
# Installs the packages scripts/package.sh built into a clean Debian 12 root made with
# debootstrap, the way a user's `apt-get install ./finetune-studio_*.deb` would: every
# dependency must resolve from Debian's archive; then finetune-cli runs on the packaged model,
# the studio starts under Xvfb and shows the model, and purging both packages leaves nothing
# of them behind. Needs root and Debian's archive (network); takes about 10 minutes.
#   scripts/test-package.sh [BUILD_DIR]     (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
studio_deb=$(ls "$build"/finetune-studio_*_amd64.deb)
model_deb=$(ls "$build"/finetune-studio-model-smollm2_*_all.deb)
[ "$(id -u)" -eq 0 ] || { echo "test-package.sh: run as root (debootstrap, chroot)"; exit 2; }
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap

root=$(mktemp -d /var/tmp/ft-package-root.XXXXXX)
chmod 755 "$root"  # apt downloads as the _apt user
cleanup() {
    for m in dev/pts dev sys proc; do umount -l "$root/$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$root"
}
trap cleanup EXIT
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 HOME=/root "$@"; }

echo "== debootstrap bookworm (minbase) into $root"
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$root.debootstrap.log" 2>&1 ||
    { tail -20 "$root.debootstrap.log"; exit 1; }
mount -t proc proc "$root/proc"; mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"; mount --bind /dev/pts "$root/dev/pts"
cp "$studio_deb" "$model_deb" "$root/tmp/"
in_root apt-get update -q >/dev/null
# What the clean root holds before: the purge must bring it back to this (less apt's caches).
snapshot() {
    in_root find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /var/cache \
        -o -path /var/lib/apt -o -path /var/lib/dpkg -o -path /var/log -o -path /root \) -prune -o -print | sort
}
# Xvfb is the test's screen, not a dependency of the package: installed first, kept after.
in_root apt-get install -y -q --no-install-recommends xvfb xauth >/dev/null
snapshot >"$root.before"

echo "== apt-get install ./$(basename "$studio_deb") ./$(basename "$model_deb")"
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$studio_deb")" \
    "/tmp/$(basename "$model_deb")" | tail -3

model=/usr/share/finetune-studio/models/SmolLM2-135M-Instruct.Q4_1.gguf
echo "== finetune-cli on the packaged model"
in_root finetune-cli --version
in_root finetune-cli info --model "$model"
in_root finetune-cli generate --model "$model" --chat --max-new-tokens 16 \
    --prompt "What is the capital of France?"
in_root man -w finetune-cli 2>/dev/null || test -f "$root/usr/share/man/man1/finetune-cli.1.gz"
test -f "$root/usr/share/applications/org.finetunestudio.FineTuneStudio.desktop"

echo "== finetune-studio under Xvfb"
in_root xvfb-run -a -s "-screen 0 1366x768x24" finetune-studio --screenshot /tmp/studio.png "$model"
cp "$root/tmp/studio.png" "$build/package-test-studio.png"
echo "screenshot: $build/package-test-studio.png"

echo "== purge"
in_root apt-get purge -y -q --autoremove finetune-studio finetune-studio-model-smollm2 >/dev/null
snapshot >"$root.after"
if in_root dpkg-query -W -f='${Status}\n' libtorch1.13 2>/dev/null | grep -q "install ok"; then
    echo "the dependencies stayed installed after purge --autoremove"; exit 1
fi
# Ours: every path in either package, and anything named after the studio. Other new paths come
# from the dependencies' maintainer scripts (adduser's /run/adduser, shadow's backups): listed.
ours=$( { dpkg-deb -c "$studio_deb"; dpkg-deb -c "$model_deb"; } | awk '{print $6}' | sed 's|^\.||' |
    grep -v '/$' || true)
left=$(comm -13 "$root.before" "$root.after" || true)
rm -f "$root.before" "$root.after" "$root.debootstrap.log"
[ -z "$left" ] || { echo "new paths from the dependencies' scripts (not ours):"; echo "$left"; }
ours_left=$(for f in $ours; do [ -e "$root$f" ] && echo "$f"; done; echo "$left" | grep -i finetune || true)
if [ -n "$ours_left" ]; then
    echo "left behind after purge:"; echo "$ours_left"; exit 1
fi
echo "PACKAGE TEST PASSED: installed with its dependencies, ran, started, purged without a trace"
