#!/usr/bin/env python3
"""Debian guest kernels and initramfs images for tests, the demo and users.

Fetches Debian's guest kernel packages (image, headers, kbuild) with
`apt-get download` + `dpkg-deb -x` into a cache (never into /boot), extracts
the kernel's BTF without booting it, fixes the headers up so that Kbuild
works from the cache, and writes initramfs images (busybox-static, given
files, an init script) reproducibly: same inputs, same bytes.

A kernel is complete in the cache only once its `.complete` stamp exists;
everything is unpacked into a temporary directory first and renamed into
place, so an interrupted or failed fetch never leaves a half-built tree that a
later run would trust.

Library use: `fetch(release_or_series, flavour, cache)` returns a `Kernel`;
`Initramfs` builds images.  CLI: see `guest-image --help`.
"""

import argparse
import hashlib
import lzma
import gzip
import bz2
import zlib
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time

FLAVOURS = ("cloud-amd64", "amd64", "rt-amd64")
SERIES = ("6.1", "6.12")
BUSYBOX = "/bin/busybox"


class GuestImageError(Exception):
    """A failure with a message meant for the user."""


def log(msg):
    print(f"guest-image: {msg}", file=sys.stderr, flush=True)


def _run(cmd, **kw):
    try:
        return subprocess.run(cmd, check=True, text=True,
                              capture_output=True, **kw)
    except FileNotFoundError as e:
        raise GuestImageError(f"{cmd[0]} not found: run scripts/install-deps.sh") from e
    except subprocess.CalledProcessError as e:
        tail = (e.stderr or e.stdout or "").strip().splitlines()[-3:]
        raise GuestImageError(f"'{' '.join(cmd)}' failed: " + " | ".join(tail)) from e


# --------------------------------------------------------------------------
# Package resolution

def _meta_package(series, flavour):
    # 6.1 is bookworm's default kernel: its metapackages carry no series.
    if series == "6.1":
        return f"linux-image-{flavour}"
    return f"linux-image-{series}-{flavour}"


def _apt_show(pkg):
    """Depends field of the candidate version of pkg, or None if unknown."""
    for attempt in range(2):
        r = subprocess.run(["apt-cache", "show", "--no-all-versions", pkg],
                           text=True, capture_output=True)
        if r.returncode == 0 and r.stdout.strip():
            m = re.search(r"^Depends: (.*)$", r.stdout, re.M)
            return m.group(1) if m else ""
        if attempt == 0:
            # Package lists may be missing on a fresh machine.
            log("apt lists do not know %s; running apt-get update" % pkg)
            subprocess.run(["apt-get", "update", "-q"], capture_output=True)
    return None


def _apt_lists_stamp():
    """Changes whenever `apt-get update` brought new package lists."""
    d = "/var/lib/apt/lists"
    try:
        return max(int(os.stat(os.path.join(d, f)).st_mtime)
                   for f in os.listdir(d) if f.endswith("_Packages"))
    except (OSError, ValueError):
        return 0


def resolve_release(spec, flavour, cache=None):
    """'6.1', '6.12' or a full release ('6.1.0-56-cloud-amd64') -> release.

    A series resolves to the archive's current release through its
    metapackage.  apt-cache costs ~1 s, so the answer is remembered in the
    cache until the package lists change.
    """
    if spec in SERIES and cache:
        memo = os.path.join(cache, "resolved", f"{spec}-{flavour}")
        stamp = _apt_lists_stamp()
        try:
            with open(memo) as f:
                st, release = f.read().split()
            if int(st) == stamp:
                return release
        except (OSError, ValueError):
            pass
        release = resolve_release(spec, flavour)
        os.makedirs(os.path.dirname(memo), exist_ok=True)
        with open(memo, "w") as f:
            f.write(f"{stamp} {release}\n")
        return release
    if spec not in SERIES:
        if not re.fullmatch(r"[0-9][0-9a-z.+~-]*-(cloud-amd64|rt-amd64|amd64)", spec):
            raise GuestImageError(f"not a kernel release or series: {spec!r}")
        return spec
    if flavour not in FLAVOURS:
        raise GuestImageError(f"unknown flavour {flavour!r} (one of {', '.join(FLAVOURS)})")
    meta = _meta_package(spec, flavour)
    dep = _apt_show(meta)
    if dep is None:
        raise GuestImageError(f"package {meta} is not in the configured Debian archive")
    m = re.search(r"linux-image-([0-9][^ ,|()]*?)(?:-unsigned)?[ ,(]|linux-image-([0-9][^ ,|()]*)$", dep)
    if not m:
        raise GuestImageError(f"cannot read the kernel release from {meta}: {dep}")
    return m.group(1) or m.group(2)


# --------------------------------------------------------------------------
# Kernel images

class Kernel:
    """An unpacked kernel release in the cache."""

    def __init__(self, root, release):
        self.release = release
        self.root = root

    @property
    def vmlinuz(self):
        return os.path.join(self.root, "boot", f"vmlinuz-{self.release}")

    @property
    def modules(self):
        return os.path.join(self.root, "lib", "modules", self.release)

    @property
    def headers(self):
        return os.path.join(self.root, "usr", "src", f"linux-headers-{self.release}")

    @property
    def btf(self):
        return os.path.join(self.root, "vmlinux.btf")

    @property
    def config(self):
        return os.path.join(self.root, "boot", f"config-{self.release}")

    def module(self, relpath):
        """Path of a module, e.g. 'arch/x86/kvm/kvm.ko' (decompressed)."""
        p = os.path.join(self.modules, "kernel", relpath)
        if os.path.exists(p):
            return p
        raise GuestImageError(f"module {relpath} not in {self.release}")

    def as_dict(self):
        return {"release": self.release, "vmlinuz": self.vmlinuz,
                "modules": self.modules, "headers": self.headers,
                "btf": self.btf, "config": self.config}


def _download(pkgs, dest, deb_dir):
    """Fetch .deb files for pkgs into dest; from deb_dir if given."""
    if deb_dir:
        out = []
        for p in pkgs:
            found = sorted(f for f in os.listdir(deb_dir)
                           if f.startswith(p + "_") and f.endswith(".deb"))
            if not found:
                raise GuestImageError(f"{p}: no {p}_*.deb in {deb_dir}")
            out.append(os.path.join(deb_dir, found[-1]))
        return out
    # apt drops privileges to _apt for downloads; let it write here.
    os.chmod(dest, 0o777)
    _run(["apt-get", "download", "-q", *pkgs], cwd=dest)
    return sorted(os.path.join(dest, f) for f in os.listdir(dest) if f.endswith(".deb"))


def _header_deps(release):
    dep = _apt_show(f"linux-headers-{release}")
    if dep is None:
        raise GuestImageError(f"package linux-headers-{release} is not in the archive")
    names = re.findall(r"(linux-(?:headers|kbuild)-[^ ,|()]+)", dep)
    return [n for n in dict.fromkeys(names) if n != f"linux-headers-{release}"]


def _one_stream(decompressor, data):
    """Decompress the first stream only: kernel payloads end with a 4-byte
    size word after the stream, which the multi-stream helpers of the
    standard library would try to parse as another stream."""
    out = decompressor.decompress(data)
    if not decompressor.eof:
        raise EOFError("the stream ends early")
    return out


def _decompress_payload(data, what):
    magic = data[:6]
    try:
        if magic[:2] == b"\x1f\x8b":
            return _one_stream(zlib.decompressobj(16 + zlib.MAX_WBITS), data)
        if magic == b"\xfd7zXZ\x00":
            return _one_stream(lzma.LZMADecompressor(lzma.FORMAT_XZ), data)
        if magic[:3] == b"\x5d\x00\x00":
            return _one_stream(lzma.LZMADecompressor(lzma.FORMAT_ALONE), data)
        if magic[:3] == b"BZh":
            return _one_stream(bz2.BZ2Decompressor(), data)
    except (lzma.LZMAError, zlib.error, OSError, EOFError) as e:
        raise GuestImageError(f"{what}: corrupt kernel payload: {e}") from e
    for m, tool in ((b"\x02\x21\x4c\x18", "lz4"), (b"\x28\xb5\x2f\xfd", "zstd")):
        if magic[:4] == m:
            try:
                # Payloads carry trailing bytes (the size word); both tools
                # stop at the end of their frame and warn, which is fine.
                r = subprocess.run([tool, "-dc"], input=data, capture_output=True)
            except FileNotFoundError as e:
                raise GuestImageError(f"{tool} not found: run scripts/install-deps.sh") from e
            if r.stdout[:4] == b"\x7fELF":
                return r.stdout
            raise GuestImageError(f"{what}: {tool} could not decompress the kernel")
    raise GuestImageError(f"{what}: unknown kernel compression (magic {magic.hex()})")


def vmlinux_from_bzimage(path):
    """The uncompressed ELF vmlinux inside a bzImage."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 0x250 or data[0x202:0x206] != b"HdrS":
        raise GuestImageError(f"{path}: not a bzImage (no HdrS header)")
    version = struct.unpack_from("<H", data, 0x206)[0]
    if version < 0x208:
        raise GuestImageError(f"{path}: boot protocol {version:#x} has no payload info")
    setup_sects = data[0x1F1] or 4
    off, length = struct.unpack_from("<II", data, 0x248)
    start = (setup_sects + 1) * 512 + off
    if start + length > len(data):
        raise GuestImageError(f"{path}: payload runs past the end of the file")
    return _decompress_payload(data[start:start + length], path)


def elf_section(elf, name):
    """Bytes of a named section of a 64-bit little-endian ELF, or None."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise GuestImageError("not a 64-bit little-endian ELF")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    def sh(i):
        return struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize)
    stroff = sh(shstrndx)[4]
    for i in range(shnum):
        h = sh(i)
        end = elf.index(b"\0", stroff + h[0])
        if elf[stroff + h[0]:end].decode() == name:
            return elf[h[4]:h[4] + h[5]]
    return None


def extract_btf(vmlinuz, out):
    btf = elf_section(vmlinux_from_bzimage(vmlinuz), ".BTF")
    if not btf or btf[:2] != b"\x9f\xeb":
        raise GuestImageError(f"{vmlinuz}: no BTF in the kernel image")
    with open(out, "wb") as f:
        f.write(btf)


def _fix_headers(tree, release, final_root):
    """Point the flavour Makefile at the common headers' final location."""
    hdr = os.path.join(tree, "usr", "src", f"linux-headers-{release}")
    mk = os.path.join(hdr, "Makefile")
    with open(mk) as f:
        text = f.read()
    src = os.path.join(final_root, "usr", "src")
    text = re.sub(r"/usr/src/", src + "/", text)
    with open(mk, "w") as f:
        f.write(text)
    # The scripts/tools symlinks are relative (../../lib/linux-kbuild-X);
    # check they resolve inside the cache.
    for link in ("scripts", "tools"):
        if not os.path.isdir(os.path.join(hdr, link)):
            raise GuestImageError(f"headers of {release}: {link}/ does not resolve")


def fetch(spec="6.1", flavour="cloud-amd64", cache=None, headers=True,
          deb_dir=None):
    """Return the cached Kernel for spec, fetching and unpacking it once."""
    cache = cache or default_cache()
    release = resolve_release(spec, flavour, cache)
    root = os.path.join(cache, "kernels", release)
    stamp = os.path.join(root, ".complete")
    want = "image+headers" if headers else "image"
    if os.path.exists(stamp):
        with open(stamp) as f:
            have = f.read().strip()
        if have == "image+headers" or have == want:
            return Kernel(root, release)
    os.makedirs(os.path.join(cache, "kernels"), exist_ok=True)
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix=f".{release}.", dir=os.path.join(cache, "kernels"))
    try:
        debs = os.path.join(tmp, "debs")
        tree = os.path.join(tmp, "root")
        os.makedirs(debs)
        os.makedirs(tree)
        pkgs = [f"linux-image-{release}"]
        if headers:
            pkgs += [f"linux-headers-{release}"] + _header_deps(release)
        log(f"fetching {' '.join(pkgs)}")
        for deb in _download(pkgs, debs, deb_dir):
            r = subprocess.run(["dpkg-deb", "-x", deb, tree], capture_output=True, text=True)
            if r.returncode != 0:
                raise GuestImageError(f"{os.path.basename(deb)} is corrupt or truncated: "
                                      + (r.stderr.strip().splitlines() or ["dpkg-deb failed"])[-1])
        k = Kernel(tree, release)
        if not os.path.exists(k.vmlinuz):
            raise GuestImageError(f"linux-image-{release} holds no boot/vmlinuz-{release}")
        _decompress_modules(k.modules)
        extract_btf(k.vmlinuz, k.btf)
        if headers:
            _fix_headers(tree, release, root)
        shutil.rmtree(debs)
        with open(os.path.join(tree, ".complete"), "w") as f:
            f.write(want + "\n")
        if os.path.exists(root):
            shutil.rmtree(root)
        os.rename(tree, root)
        log(f"{release} ready in {time.monotonic() - t0:.1f} s")
        return Kernel(root, release)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _decompress_modules(moddir):
    """Debian 6.12 ships .ko.xz; insmod in busybox wants plain .ko."""
    for dirpath, _, files in os.walk(moddir):
        for f in files:
            if f.endswith(".ko.xz"):
                p = os.path.join(dirpath, f)
                with lzma.open(p) as src, open(p[:-3], "wb") as dst:
                    shutil.copyfileobj(src, dst)
                os.unlink(p)
            elif f.endswith(".ko.zst"):
                p = os.path.join(dirpath, f)
                _run(["zstd", "-q", "-d", "--rm", p])


# --------------------------------------------------------------------------
# Initramfs

class Initramfs:
    """A reproducible newc cpio archive: sorted, owner 0, mtime 0.

    Entries are added by destination path; parent directories appear
    automatically.  Bytes depend only on the entries' paths, modes and
    contents.
    """

    def __init__(self):
        self.entries = {}  # dst -> (mode, data bytes or link target)

    def _parents(self, dst):
        parts = dst.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            self.entries.setdefault(d, (stat.S_IFDIR | 0o755, b""))

    def add_dir(self, dst, mode=0o755):
        dst = dst.strip("/")
        self._parents(dst)
        self.entries[dst] = (stat.S_IFDIR | mode, b"")

    def add_bytes(self, dst, data, mode=0o644):
        dst = dst.strip("/")
        self._parents(dst)
        self.entries[dst] = (stat.S_IFREG | mode, bytes(data))

    def add_file(self, src, dst, mode=None):
        st = os.stat(src)
        if not stat.S_ISREG(st.st_mode):
            raise GuestImageError(f"{src}: not a regular file")
        with open(src, "rb") as f:
            self.add_bytes(dst, f.read(), mode if mode is not None else (st.st_mode & 0o777))

    def add_symlink(self, dst, target):
        dst = dst.strip("/")
        self._parents(dst)
        self.entries[dst] = (stat.S_IFLNK | 0o777, target.encode())

    def add_elf(self, src, dst=None):
        """An ELF executable plus the shared libraries it loads."""
        self.add_file(src, dst or src)
        r = subprocess.run(["ldd", src], capture_output=True, text=True)
        if r.returncode != 0:
            return  # static
        for line in r.stdout.splitlines():
            m = re.search(r"(/\S+) \(0x", line)
            if m and os.path.exists(m.group(1)):
                lib = m.group(1)
                real = os.path.realpath(lib)
                self.add_file(real, lib, 0o755)

    def add_tree(self, src, dst):
        for dirpath, dirs, files in os.walk(src):
            dirs.sort()
            rel = os.path.relpath(dirpath, src)
            base = dst if rel == "." else os.path.join(dst, rel)
            self.add_dir(base)
            for f in sorted(files):
                p = os.path.join(dirpath, f)
                if os.path.islink(p):
                    self.add_symlink(os.path.join(base, f), os.readlink(p))
                else:
                    self.add_file(p, os.path.join(base, f))

    def add_busybox(self, init_script):
        """busybox-static as /bin/sh and friends, and /init."""
        if not os.path.exists(BUSYBOX):
            raise GuestImageError(f"{BUSYBOX} missing: run scripts/install-deps.sh")
        self.add_file(BUSYBOX, "bin/busybox", 0o755)
        for applet in ("sh", "mount", "mkdir", "cat", "echo", "insmod",
                       "poweroff", "sleep", "dmesg", "grep"):
            self.add_symlink(f"bin/{applet}", "busybox")
        for d in ("dev", "proc", "sys", "tmp", "run", "root"):
            self.add_dir(d)
        self.add_bytes("init", init_script.encode(), 0o755)

    def to_bytes(self):
        out = bytearray()
        ino = 1
        for name in sorted(self.entries):
            mode, data = self.entries[name]
            out += _newc_header(ino, mode, len(data), name)
            out += data
            out += b"\0" * (-len(out) % 4)
            ino += 1
        out += _newc_header(0, 0, 0, "TRAILER!!!")
        out += b"\0" * (-len(out) % 512)
        return bytes(out)

    def write(self, path, compress=False):
        data = self.to_bytes()
        if compress:
            data = gzip.compress(data, compresslevel=6, mtime=0)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        return hashlib.sha256(data).hexdigest()


def _newc_header(ino, mode, size, name):
    nlink = 2 if stat.S_ISDIR(mode) else 1
    fields = (ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name) + 1, 0)
    hdr = b"070701" + b"".join(b"%08X" % v for v in fields)
    hdr += name.encode() + b"\0"
    hdr += b"\0" * (-len(hdr) % 4)
    return hdr


# --------------------------------------------------------------------------
# CLI

def default_cache():
    return os.environ.get("HUP_GUEST_CACHE") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "guest")


def _cmd_fetch(a):
    k = fetch(a.kernel, a.flavour, a.cache, headers=not a.no_headers, deb_dir=a.debs)
    d = k.as_dict()
    if a.print:
        print(d[a.print])
    else:
        for key, v in d.items():
            print(f"{key}={v}")


def _cmd_btf(a):
    extract_btf(a.vmlinuz, a.output)


def _cmd_initramfs(a):
    img = Initramfs()
    with open(a.init) as f:
        img.add_busybox(f.read())
    for spec in a.add or []:
        src, sep, dst = spec.partition(":")
        if not sep:
            raise GuestImageError(f"--add wants SRC:DST, got {spec!r}")
        if os.path.isdir(src):
            img.add_tree(src, dst)
        else:
            img.add_file(src, dst)
    digest = img.write(a.output, compress=a.gzip)
    print(f"{a.output} sha256={digest}")


def main(argv=None):
    p = argparse.ArgumentParser(prog="guest-image", description=__doc__.split("\n\n")[0])
    p.add_argument("--cache", default=None, help="cache directory (default: $HUP_GUEST_CACHE or build/guest)")
    sub = p.add_subparsers(dest="cmd", required=True)

    f = sub.add_parser("fetch", help="fetch and unpack a Debian guest kernel (image, modules, headers, BTF)")
    f.add_argument("--kernel", default="6.1", help="series (6.1, 6.12) or full release (6.1.0-56-cloud-amd64); default 6.1")
    f.add_argument("--flavour", default="cloud-amd64", choices=FLAVOURS)
    f.add_argument("--no-headers", action="store_true", help="skip headers and kbuild")
    f.add_argument("--debs", help="take .deb files from this directory instead of apt-get download")
    f.add_argument("--print", choices=("release", "vmlinuz", "modules", "headers", "btf", "config"),
                   help="print one path instead of all")
    f.set_defaults(fn=_cmd_fetch)

    b = sub.add_parser("btf", help="extract the BTF of a bzImage without booting it")
    b.add_argument("vmlinuz")
    b.add_argument("-o", "--output", required=True)
    b.set_defaults(fn=_cmd_btf)

    i = sub.add_parser("initramfs", help="build a reproducible busybox initramfs")
    i.add_argument("-o", "--output", required=True)
    i.add_argument("--init", required=True, help="init script (becomes /init)")
    i.add_argument("--add", action="append", metavar="SRC:DST", help="file or directory to carry")
    i.add_argument("--gzip", action="store_true")
    i.set_defaults(fn=_cmd_initramfs)

    a = p.parse_args(argv)
    if a.cache:
        a.cache = os.path.abspath(a.cache)
    try:
        a.fn(a)
    except GuestImageError as e:
        log(f"error: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
