#!/usr/bin/env python3
"""Unit tests of scripts/guest_image.py: reproducible initramfs, BTF
extraction, and the failures a user must see clearly.

Tests named *_fake_* use stand-ins (fake .deb files, a failing apt-get on
PATH) instead of the Debian archive; the rest use the cached real kernel
when HUP_GUEST_CACHE names one.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import guest_image as gi  # noqa: E402

TOOL = os.path.join(ROOT, "scripts", "guest_image.py")
CACHE = os.environ.get("HUP_GUEST_CACHE")


def cpio_list(path):
    r = subprocess.run(["cpio", "-it", "--quiet"], stdin=open(path, "rb"),
                       capture_output=True, text=True, check=True)
    return r.stdout.split()


class InitramfsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def build(self, name, init="#!/bin/sh\necho hi\n", extra=b"x"):
        img = gi.Initramfs()
        img.add_busybox(init)
        img.add_bytes("etc/extra", extra)
        img.add_symlink("bin/ls", "busybox")
        p = os.path.join(self.tmp, name)
        img.write(p)
        return p

    def test_same_inputs_same_bytes(self):
        a, b = self.build("a.cpio"), self.build("b.cpio")
        with open(a, "rb") as fa, open(b, "rb") as fb:
            self.assertEqual(fa.read(), fb.read())

    def test_different_inputs_differ(self):
        a, b = self.build("a.cpio"), self.build("b.cpio", extra=b"y")
        with open(a, "rb") as fa, open(b, "rb") as fb:
            self.assertNotEqual(fa.read(), fb.read())

    def test_cpio_tool_reads_it(self):
        names = cpio_list(self.build("a.cpio"))
        for want in ("init", "bin/busybox", "bin/sh", "etc", "etc/extra", "dev", "proc"):
            self.assertIn(want, names)
        self.assertEqual(names, sorted(names))

    def test_contents_and_modes_roundtrip(self):
        p = self.build("a.cpio", init="#!/bin/sh\nexit 7\n")
        out = os.path.join(self.tmp, "x")
        os.makedirs(out)
        subprocess.run(["cpio", "-id", "--quiet"], cwd=out, stdin=open(p, "rb"), check=True)
        with open(os.path.join(out, "init")) as f:
            self.assertEqual(f.read(), "#!/bin/sh\nexit 7\n")
        self.assertTrue(os.access(os.path.join(out, "init"), os.X_OK))
        self.assertEqual(os.readlink(os.path.join(out, "bin/ls")), "busybox")
        r = subprocess.run([os.path.join(out, "bin/busybox"), "echo", "ok"],
                           capture_output=True, text=True)
        self.assertEqual(r.stdout, "ok\n")

    def test_gzip_is_reproducible(self):
        img = gi.Initramfs()
        img.add_bytes("a", b"1")
        p1, p2 = os.path.join(self.tmp, "1.gz"), os.path.join(self.tmp, "2.gz")
        self.assertEqual(img.write(p1, compress=True), img.write(p2, compress=True))

    def test_rejects_non_regular_file(self):
        with self.assertRaises(gi.GuestImageError):
            gi.Initramfs().add_file("/dev/null", "x")


class BtfTest(unittest.TestCase):
    def test_not_a_bzimage(self):
        with tempfile.NamedTemporaryFile() as f:
            f.write(b"\0" * 4096)
            f.flush()
            with self.assertRaisesRegex(gi.GuestImageError, "not a bzImage"):
                gi.vmlinux_from_bzimage(f.name)

    def test_payload_with_trailing_size_word(self):
        # Kernel payloads end with a 4-byte size after the stream.
        import gzip as gz
        import lzma
        blob = b"\x7fELF" + bytes(range(256)) * 64
        for comp in (lambda b: lzma.compress(b, format=lzma.FORMAT_XZ),
                     lambda b: gz.compress(b, mtime=0)):
            self.assertEqual(gi._decompress_payload(comp(blob) + b"\x00\x41\x00\x00", "t"), blob)

    def test_corrupt_payload_is_a_clear_error(self):
        import lzma
        bad = lzma.compress(b"\x7fELF" + b"x" * 5000, format=lzma.FORMAT_XZ)
        bad = bad[:12] + b"\xff" * 40 + bad[52:]
        with self.assertRaisesRegex(gi.GuestImageError, "corrupt kernel payload"):
            gi._decompress_payload(bad, "t")

    def test_truncated_payload(self):
        if not CACHE:
            self.skipTest("HUP_GUEST_CACHE not set")
        k = gi.fetch("6.1", cache=CACHE, headers=False)
        with open(k.vmlinuz, "rb") as f:
            data = f.read()
        with tempfile.NamedTemporaryFile() as f:
            f.write(data[: len(data) // 2])
            f.flush()
            with self.assertRaisesRegex(gi.GuestImageError, "past the end"):
                gi.vmlinux_from_bzimage(f.name)

    def test_real_kernel_btf(self):
        if not CACHE:
            self.skipTest("HUP_GUEST_CACHE not set")
        k = gi.fetch("6.1", cache=CACHE, headers=False)
        with open(k.btf, "rb") as f:
            self.assertEqual(f.read(2), b"\x9f\xeb")
        r = subprocess.run(["bpftool", "btf", "dump", "file", k.btf, "format", "c"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("struct task_struct {", r.stdout)


class FetchFailureTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def cli(self, *args, env=None):
        return subprocess.run([sys.executable, TOOL, "--cache", self.tmp, *args],
                              capture_output=True, text=True, env=env)

    def test_bad_release_name(self):
        r = self.cli("fetch", "--kernel", "../../etc")
        self.assertEqual(r.returncode, 1)
        self.assertIn("not a kernel release or series", r.stderr)

    def test_package_not_in_archive(self):
        r = self.cli("fetch", "--kernel", "6.1.0-9999-cloud-amd64", "--no-headers")
        self.assertEqual(r.returncode, 1)
        self.assertIn("error:", r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "kernels", "6.1.0-9999-cloud-amd64")))

    def test_corrupt_fake_deb_leaves_nothing(self):
        debs = os.path.join(self.tmp, "debs")
        os.makedirs(debs)
        with open(os.path.join(debs, "linux-image-6.1.0-1-cloud-amd64_1_amd64.deb"), "wb") as f:
            f.write(b"!<arch>\ndebian-binary   truncated")
        r = self.cli("fetch", "--kernel", "6.1.0-1-cloud-amd64", "--no-headers", "--debs", debs)
        self.assertEqual(r.returncode, 1)
        self.assertIn("corrupt or truncated", r.stderr)
        kdir = os.path.join(self.tmp, "kernels")
        self.assertEqual([d for d in os.listdir(kdir)], [])

    def test_warm_cache_needs_no_apt_fake_path(self):
        if not CACHE:
            self.skipTest("HUP_GUEST_CACHE not set")
        # Resolve once for real, then fail every apt/dpkg tool: the warm
        # path must not touch them.
        rel = subprocess.run([sys.executable, TOOL, "--cache", CACHE, "fetch", "--print", "release"],
                             capture_output=True, text=True, check=True).stdout.strip()
        fake = os.path.join(self.tmp, "bin")
        os.makedirs(fake)
        for tool in ("apt-get", "apt-cache", "dpkg-deb"):
            with open(os.path.join(fake, tool), "w") as f:
                f.write("#!/bin/sh\necho fake $0 called >&2\nexit 99\n")
            os.chmod(os.path.join(fake, tool), 0o755)
        env = dict(os.environ, PATH=fake + ":" + os.environ["PATH"])
        r = subprocess.run([sys.executable, TOOL, "--cache", CACHE, "fetch", "--print", "release"],
                           capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), rel)
        self.assertNotIn("fake", r.stderr)


if __name__ == "__main__":
    unittest.main()
